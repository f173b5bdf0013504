package io.kefu.engine.onnx;

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

/** The ONNX engine's chat model, found through the service loader, over a tiny exported Llama with the real tokenizer. */
class OnnxChatModelContractTest extends ChatModelContract {
    @TempDir
    static Path temp;
    static Engine onnx;
    static BaseModel base;

    @BeforeAll
    static void export() {
        Path exported = TinyCheckpoint.writeAndExport(temp, "llama", "llama", "llama3", 5);
        onnx = Engines.get("onnx");
        base = onnx.load(ModelRef.of(exported));
    }

    @AfterAll
    static void close() {
        base.close();
    }

    @Override
    protected ChatModel createModel() {
        return onnx.chatModel(base);
    }

    @Test
    void specialTokenTextInAMessageStaysText() {
        SpecialTokenInjection.assertPromptsHoldOnlyTheTemplatesMarkers(model, base.directory());
    }
}
