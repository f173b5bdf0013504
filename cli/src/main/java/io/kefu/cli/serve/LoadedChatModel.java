package io.kefu.cli.serve;

import io.kefu.chat.ChatModel;
import io.kefu.runtime.hub.DownloadListener;
import io.kefu.runtime.hub.Hub;
import io.kefu.runtime.hub.HubClient;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.ModelRef;
import io.kefu.train.Adapter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A base model and a chat model over it, loaded through an engine for {@code chat} and
 * {@code generate}. A hub id is downloaded into the Hugging Face cache first, with progress on
 * standard error. Closing closes both.
 */
final class LoadedChatModel implements AutoCloseable {
    private final BaseModel base;
    private final ChatModel chat;

    private LoadedChatModel(BaseModel base, ChatModel chat) {
        this.base = base;
        this.chat = chat;
    }

    static LoadedChatModel load(Engine engine, String model, Path adapter, PrintWriter err) {
        ModelRef ref = ModelRef.of(model);
        if (ref.isHubId()) {
            HubClient client = HubClient.builder().listener(new Progress(err)).build();
            ref = ModelRef.of(Hub.resolve(ref, client));
        }
        BaseModel base = engine.load(ref);
        try {
            List<Adapter> adapters = adapter == null ? List.of() : List.of(Adapter.load(adapter));
            return new LoadedChatModel(base, engine.chatModel(base, adapters));
        } catch (RuntimeException e) {
            base.close();
            throw e;
        }
    }

    ChatModel chat() {
        return chat;
    }

    BaseModel base() {
        return base;
    }

    @Override
    public void close() {
        try {
            chat.close();
        } finally {
            base.close();
        }
    }

    /** Prints one line per file, rewritten in place as bytes arrive (at most every whole percent). */
    private static final class Progress implements DownloadListener {
        private final PrintWriter err;
        private String file;
        private long lastPercent = -1;

        Progress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void progress(String name, long done, long total) {
            if (!name.equals(file)) {
                if (file != null) {
                    err.println();
                }
                file = name;
                lastPercent = -1;
            }
            long percent = total > 0 ? done * 100 / total : -1;
            if (percent == lastPercent && (total > 0 || done % (1 << 24) != 0)) {
                return;
            }
            lastPercent = percent;
            err.printf(Locale.ROOT, "\rdownloading %s: %s", name, total > 0
                    ? String.format(Locale.ROOT, "%3d%% of %.1f MB", percent, total / 1e6)
                    : String.format(Locale.ROOT, "%.1f MB", done / 1e6));
            if (total > 0 && done >= total) {
                err.println();
                file = null;
            }
            err.flush();
        }
    }
}
