package io.kefu.engine.djl;

import io.kefu.chat.ChatModel;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.testkit.ChatModelContract;
import io.kefu.testkit.SpecialTokenInjection;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DJL engine's chat model, found through the service loader, over a tiny Qwen 3 with the real tokenizer. */
class DjlChatModelContractTest extends ChatModelContract {
    @TempDir
    static Path temp;
    static Engine djl;
    static BaseModel base;

    @BeforeAll
    static void load() {
        djl = Engines.get("djl");
        base = djl.load(ModelRef.of(TinyModels.qwen3(temp, "qwen3-contract", 3)));
    }

    @AfterAll
    static void close() {
        base.close();
    }

    @Override
    protected ChatModel createModel() {
        return djl.chatModel(base);
    }

    @Test
    void specialTokenTextInAMessageStaysText() {
        SpecialTokenInjection.assertPromptsHoldOnlyTheTemplatesMarkers(model, base.directory());
    }
}
