package io.kefu.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.chat.ChatMessage;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.TensorSpec;
import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.runtime.tokenize.HfTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The committed demo base model: its files match SHA256SUMS, and it is a loadable Qwen 3 checkpoint in bf16. */
class DemoBaseModelTest {
    private final Path dir = Path.of(System.getProperty("kefu.repo.dir"), "examples", "models", "demo-base");

    @Test
    void everyFileMatchesItsChecksum() throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("SHA256SUMS"));
        assertThat(lines).hasSize(5);
        for (String line : lines) {
            String[] parts = line.split("\\s+\\*?", 2);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(dir.resolve(parts[1])));
            assertThat(HexFormat.of().formatHex(digest)).as(parts[1]).isEqualTo(parts[0]);
        }
    }

    @Test
    void isABf16Qwen3WithItsOwnChatMlTokenizer() {
        try (Checkpoint checkpoint = Checkpoint.open(dir); HfTokenizer tokenizer = HfTokenizer.load(dir)) {
            assertThat(checkpoint.config().modelType()).isEqualTo("qwen3");
            assertThat(checkpoint.tensorSpecs()).extracting(TensorSpec::dtype).containsOnly(Dtype.BF16);
            assertThat(checkpoint.config().vocabSize()).isGreaterThanOrEqualTo(tokenizer.vocabSize());
            checkpoint.validateLayout();
            String prompt = HfChatTemplate.fromModelDir(dir).render(List.of(ChatMessage.user("有S码吗")), true, Map.of());
            assertThat(prompt).isEqualTo("<|im_start|>user\n有S码吗<|im_end|>\n<|im_start|>assistant\n");
            assertThat(tokenizer.decode(tokenizer.encode(prompt))).isEqualTo(prompt);
            assertThat(tokenizer.eosToken()).contains("<|im_end|>");
        }
    }
}
