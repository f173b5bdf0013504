package io.kefu.engine.trtllm;

import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.GenerationParameters;
import io.kefu.engine.trtllm.internal.EngineFolders;
import io.kefu.engine.trtllm.internal.TestDouble;
import io.kefu.model.BaseModel;
import io.kefu.model.ModelRef;
import io.kefu.testkit.ChatModelContract;
import io.kefu.testkit.SpecialTokenInjection;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TensorRT-LLM chat model through real JNA against the C test double, with the real Llama 3
 * tokenizer and template. The double repeats the prompt from its first token until the end of
 * the first turn, so a long system prompt makes a long answer for the cancellation test.
 */
class TrtllmChatModelContractTest extends ChatModelContract {
    private static final String SYSTEM = "你是栀语女装的客服。".repeat(40);

    @TempDir
    Path tmp;
    private BaseModel base;

    @Override
    protected ChatModel createModel() {
        Path dir = TestDouble.engineDir(tmp, "contract", 500);
        EngineFolders.writeConfig(dir, 4, 2, 1, 8, 2, 8, List.of("attn_q", "attn_v"));
        EngineFolders.copyTokenizer("llama3", dir);
        TrtllmEngine engine = new TrtllmEngine(TestDouble.library(),
                TrtllmSettings.builder().maxBatchSize(8).maxQueueSize(64).build());
        base = engine.load(ModelRef.of(dir));
        return engine.chatModel(base);
    }

    @Override
    protected ChatRequest request(String question, int maxNewTokens) {
        return ChatRequest.builder().addSystem(SYSTEM).addUser(question)
                .parameters(GenerationParameters.builder().maxNewTokens(maxNewTokens).build()).build();
    }

    @AfterEach
    void closeBase() {
        if (base != null) {
            base.close();
        }
    }

    @Test
    void specialTokenTextInAMessageStaysText() {
        SpecialTokenInjection.assertPromptsHoldOnlyTheTemplatesMarkers(model, base.directory());
    }
}
