package io.kefu.engine.remote;

import io.kefu.chat.ChatModel;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.testkit.ChatModelContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.AfterEach;

/** The remote engine, found and loaded the way the CLI does, against a fake OpenAI server on loopback. */
class RemoteChatModelContractTest extends ChatModelContract {
    private FakeOpenAiServer server;

    @Override
    protected ChatModel createModel() {
        try {
            server = new FakeOpenAiServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Engines.get("remote").chatModel(Engines.get("remote").load(ModelRef.of(server.baseUrl())));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }
}
