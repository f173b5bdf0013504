package io.kefu.server;

import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ModelInfo;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Holds every request of a real model until the test opens the gate: makes "slow" requests on demand. */
final class GatedModel implements ChatModel {
    private final ChatModel inner;
    final CountDownLatch gate = new CountDownLatch(1);
    final AtomicInteger entered = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();

    GatedModel(ChatModel inner) {
        this.inner = inner;
    }

    private void await() {
        entered.incrementAndGet();
        try {
            gate.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        await();
        return inner.chat(request);
    }

    @Override
    public java.util.List<ChatResponse> chatBatch(java.util.List<ChatRequest> requests) {
        await();
        return inner.chatBatch(requests);
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        await();
        return inner.stream(request);
    }

    @Override
    public ModelInfo info() {
        return inner.info();
    }

    @Override
    public void close() {
        closes.incrementAndGet();
        inner.close();
    }
}
