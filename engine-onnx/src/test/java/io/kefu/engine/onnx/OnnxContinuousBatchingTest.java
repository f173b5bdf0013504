package io.kefu.engine.onnx;

import io.kefu.chat.BatchingOptions;
import io.kefu.chat.ChatModel;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.testkit.ContinuousBatchingContract;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Continuous batching of an ONNX chat model over a tiny exported Qwen 3 with the real tokenizer. */
class OnnxContinuousBatchingTest extends ContinuousBatchingContract {
    @TempDir
    static Path temp;
    static Engine onnx;
    static BaseModel base;

    @BeforeAll
    static void export() {
        Path exported = TinyCheckpoint.writeAndExport(temp, "qwen3", "qwen3", "qwen3", 11);
        onnx = Engines.get("onnx");
        base = onnx.load(ModelRef.of(exported));
    }

    @AfterAll
    static void close() {
        base.close();
    }

    @Override
    protected ChatModel createModel(BatchingOptions options) {
        return onnx.chatModel(base, List.of(), options);
    }
}
