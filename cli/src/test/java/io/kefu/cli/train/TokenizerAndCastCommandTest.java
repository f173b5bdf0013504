package io.kefu.cli.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.cli.Cli;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.SafetensorsFile;
import io.kefu.runtime.tokenize.HfTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kefu data train-tokenizer}, then {@code kefu model init} on it, then {@code kefu model cast}. */
class TokenizerAndCastCommandTest {
    @TempDir
    Path dir;

    private final Path shopTrain = Path.of(System.getProperty("kefu.repo.dir"), "examples", "shop", "train.jsonl");

    @Test
    void aTokenizerLearnedFromTheShopMakesAModelThatCastsToBf16() throws Exception {
        Path tokenizer = dir.resolve("tokenizer");
        Cli.Result learned = Cli.run("data", "train-tokenizer", shopTrain.toString(), "--vocab-size", "700", "--out", tokenizer.toString());
        assertThat(learned.exitCode()).as(learned.err()).isZero();
        assertThat(learned.out()).contains("learned 444 merges from 600 examples");
        try (HfTokenizer t = HfTokenizer.load(tokenizer)) {
            assertThat(t.vocabSize()).isEqualTo(703);
            String answer = "亲亲,172cm、64kg按尺码表建议选XL码哦~";
            assertThat(t.decode(t.encode(answer))).isEqualTo(answer);
        }

        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 1,"
                + " \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": 704,"
                + " \"tie_word_embeddings\": true, \"torch_dtype\": \"float32\"}");
        Cli.Result init = Cli.run("model", "init", "--arch", "qwen3", "--config", config.toString(), "--tokenizer",
                tokenizer.toString(), "--out", dir.resolve("fp32").toString(), "--seed", "1");
        assertThat(init.exitCode()).as(init.err()).isZero();

        Cli.Result cast = Cli.run("model", "cast", "--model", dir.resolve("fp32").toString(), "--dtype", "bf16",
                "--out", dir.resolve("bf16").toString());
        assertThat(cast.exitCode()).as(cast.err()).isZero();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("bf16/model.safetensors"))) {
            assertThat(f.tensors()).allSatisfy(t -> assertThat(t.dtype()).isEqualTo(Dtype.BF16));
        }
        assertThat(dir.resolve("bf16/config.json")).content().contains("bfloat16");
        assertThat(dir.resolve("bf16/tokenizer.json")).hasSameBinaryContentAs(tokenizer.resolve("tokenizer.json"));
        assertThat(Files.size(dir.resolve("bf16/model.safetensors"))).isLessThan(Files.size(dir.resolve("fp32/model.safetensors")));
    }

    @Test
    void badInputsAreUsageErrorsAndWriteNothing() {
        Cli.Result dtype = Cli.run("model", "cast", "--model", dir.toString(), "--dtype", "int4", "--out", dir.resolve("x").toString());
        assertThat(dtype.exitCode()).isEqualTo(2);
        assertThat(dtype.err()).contains("--dtype int4: expected fp32, fp16 or bf16");

        Cli.Result missing = Cli.run("data", "train-tokenizer", dir.resolve("nope.jsonl").toString(), "--out", dir.resolve("tok").toString());
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("nope.jsonl");

        Cli.Result tiny = Cli.run("data", "train-tokenizer", shopTrain.toString(), "--vocab-size", "200", "--out", dir.resolve("tok").toString());
        assertThat(tiny.exitCode()).isEqualTo(2);
        assertThat(tiny.err()).contains("above 256");
        assertThat(dir.resolve("x")).doesNotExist();
        assertThat(dir.resolve("tok")).doesNotExist();
    }
}
