package io.kefu.cli.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.memory.ByteSize;
import io.kefu.runtime.memory.TrainingMemory;
import io.kefu.runtime.memory.TrainingMemory.Setup;
import io.kefu.runtime.memory.TrainingMemory.Storage;
import io.kefu.train.LoraConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kefu train} at real size: --base-dtype, --quantize and --gradient-checkpointing (and their
 * config-file keys) reach the training settings, and the memory check refuses a run predicted not to
 * fit before anything is written, on a tiny bf16 checkpoint.
 */
class TrainSizingTest {
    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static Path base;
    private static Path data;

    @BeforeAll
    static void tinyBf16Checkpoint() throws Exception {
        Path config = shared.resolve("small.json");
        Files.writeString(config, "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 1,"
                + " \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": 128256,"
                + " \"tie_word_embeddings\": true, \"torch_dtype\": \"float32\"}");
        base = shared.resolve("base");
        Cli.Result init = Cli.run("model", "init", "--arch", "llama", "--config", config.toString(), "--tokenizer",
                Path.of(System.getProperty("kefu.tokenizers.dir"), "llama3").toString(), "--out", base.toString(),
                "--seed", "3", "--dtype", "bf16");
        assertThat(init.exitCode()).as(init.err()).isZero();
        data = shared.resolve("train.jsonl");
        List<String> lines = Files.readAllLines(Path.of(System.getProperty("kefu.repo.dir"), "examples", "shop", "train.jsonl"));
        Files.write(data, lines.subList(0, 10));
    }

    private String[] train(String... more) {
        String[] args = {"train", "--model", base.toString(), "--data", data.toString(), "--out", dir.resolve("run").toString()};
        String[] all = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    @Test
    void aRunThatCannotFitIsRefusedWithTheBreakdownAndNothingIsWritten() {
        // auto keeps the checkpoint's bf16; the flag defaults: batch 4 x 4 micro-batches, max length 1024
        Cli.Result refused = Cli.run(train("--memory", "1MiB"));

        assertThat(refused.exitCode()).as(refused.err()).isEqualTo(KefuCli.EXIT_FAILED);
        java.util.regex.Matcher shape = java.util.regex.Pattern.compile(
                "LlamaForCausalLM, LoRA r=8 on q_proj,v_proj, bf16 base, batch 4 x sequence (\\d+) x 4 micro-batches")
                .matcher(refused.out());
        assertThat(shape.find()).as(refused.out()).isTrue();
        int sequence = Integer.parseInt(shape.group(1));
        assertThat(sequence).as("the longest shop example, well below --max-length").isBetween(100, 1023);
        assertThat(refused.out()).containsPattern("base weights +\\d+ MiB").contains("activations", "predicted peak")
                .contains("(sequence " + sequence + ": the longest training example in tokens, at most --max-length 1024)")
                .contains("does not fit 1 MiB at batch 4 x sequence " + sequence + ", even with nf4 and gradient checkpointing;"
                        + " lower --batch-size or --max-length.");
        assertThat(refused.err()).contains("but --memory is 1 MiB; nothing was written", "--skip-memory-check");
        assertThat(dir.resolve("run")).doesNotExist();
    }

    @Test
    void theRefusalNamesTheSettingsThatWouldFit() throws Exception {
        // eight layers, so that recomputing them in backward saves memory
        Path config8 = dir.resolve("eight.json");
        Files.writeString(config8, "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 8,"
                + " \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": 128256,"
                + " \"tie_word_embeddings\": true, \"torch_dtype\": \"float32\"}");
        Path deep = dir.resolve("deep");
        Cli.Result init = Cli.run("model", "init", "--arch", "llama", "--config", config8.toString(), "--tokenizer",
                Path.of(System.getProperty("kefu.tokenizers.dir"), "llama3").toString(), "--out", deep.toString(), "--dtype", "bf16");
        assertThat(init.exitCode()).as(init.err()).isZero();
        HfModelConfig config = HfModelConfig.load(deep);
        long heap = Runtime.getRuntime().maxMemory(); // the command runs in this JVM
        // every prompt is longer than 128 tokens, so the longest example is cut to 128
        Setup asSet = new Setup(LoraConfig.builder().build(), Storage.FP32, false, 8, 128, 1);
        long smallest = Long.MAX_VALUE;
        for (Storage storage : Storage.values()) {
            for (boolean checkpointing : new boolean[] {false, true}) {
                if (storage != Storage.FP32 || checkpointing) {
                    smallest = Math.min(smallest, TrainingMemory.estimate(config, asSet.with(storage, checkpointing), heap).total());
                }
            }
        }
        long budget = smallest + (1L << 20);
        assertThat(TrainingMemory.estimate(config, asSet, heap).total()).as("the setup as set must not fit").isGreaterThan(budget);
        List<Setup> ways = TrainingMemory.waysToFit(config, asSet, budget, heap);
        assertThat(ways).isNotEmpty();

        Cli.Result refused = Cli.run("train", "--model", deep.toString(), "--data", data.toString(), "--out",
                dir.resolve("run").toString(), "--base-dtype", "fp32", "--batch-size", "8", "--max-length", "128",
                "--grad-accum", "1", "--memory", String.valueOf(budget));

        assertThat(refused.exitCode()).as(refused.err()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(refused.out()).contains("fp32 base, batch 8 x sequence 128")
                .contains("does not fit " + ByteSize.format(budget) + " as set; these would:");
        for (Setup way : ways) {
            assertThat(refused.out()).contains("  " + way.describe());
        }
        assertThat(dir.resolve("run")).doesNotExist();
    }

    @Test
    void theSizingFlagsAndConfigKeysReachTheRun() throws Exception {
        Cli.Result flags = Cli.run(train("--base-dtype", "bf16", "--quantize", "nf4", "--gradient-checkpointing", "--memory", "1MiB"));
        assertThat(flags.exitCode()).as(flags.err()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(flags.out()).contains("LoRA r=8 on q_proj,v_proj, nf4 base, gradient checkpointing, batch 4");

        Path yaml = dir.resolve("qlora.yaml");
        Files.writeString(yaml, """
                model_name_or_path: %s
                dataset: %s
                output_dir: %s
                quantization_bit: 4
                quantization_method: bnb
                gradient_checkpointing: true
                per_device_train_batch_size: 1
                cutoff_len: 256
                """.formatted(base, data, dir.resolve("run")));
        Cli.Result file = Cli.run("train", "--config", yaml.toString(), "--memory", "1MiB");
        assertThat(file.exitCode()).as(file.err()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(file.out()).containsPattern("nf4 base, gradient checkpointing, batch 1 x sequence \\d+ x 4 micro-batches");
        Cli.Result flagOverFile = Cli.run("train", "--config", yaml.toString(), "--memory", "1MiB", "--quantize", "none",
                "--no-gradient-checkpointing");
        assertThat(flagOverFile.out()).containsPattern("LoRA r=8 on q_proj,v_proj, bf16 base, batch 1 x sequence \\d+ x 4");

        // QLoRA trains, on the CPU for --device auto (no GPU here), whose budget only --memory gives;
        // the settings are recorded with the adapter
        Cli.Result qlora = Cli.run(train("--device", "auto", "--quantize", "nf4", "--gradient-checkpointing",
                "--epochs", "1", "--batch-size", "5", "--grad-accum", "1", "--max-length", "512"));
        assertThat(qlora.exitCode()).as(qlora.err()).isZero();
        assertThat(qlora.out()).contains("memory check skipped: with --device auto the run may be on a GPU", "step 2/2");
        JsonNode settings = new ObjectMapper().readTree(dir.resolve("run/adapter/kefu_provenance.json").toFile()).path("config");
        assertThat(settings.path("base_dtype").asText()).isEqualTo("auto");
        assertThat(settings.path("quantize").asText()).isEqualTo("nf4");
        assertThat(settings.path("gradient_checkpointing").asBoolean()).isTrue();

        Cli.Result skipped = Cli.run("train", "--model", base.toString(), "--data", data.toString(), "--out",
                dir.resolve("run2").toString(), "--memory", "1MiB", "--skip-memory-check", "--base-dtype", "bf16",
                "--epochs", "1", "--batch-size", "5", "--grad-accum", "1", "--max-length", "512");
        assertThat(skipped.exitCode()).as(skipped.err()).isZero();
        assertThat(skipped.out()).contains("step 2/2").doesNotContain("predicted peak");
        assertThat(dir.resolve("run2/adapter/adapter_model.safetensors")).exists();
    }

    @Test
    void badSizingValuesAreUsageErrorsThatWriteNothing() throws Exception {
        Cli.Result dtype = Cli.run(train("--base-dtype", "int8"));
        assertThat(dtype.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(dtype.err()).contains("--base-dtype int8: expected one of auto, fp32, fp16, bf16");
        Cli.Result quantize = Cli.run(train("--quantize", "int4"));
        assertThat(quantize.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(quantize.err()).contains("--quantize int4: expected none or nf4");
        Cli.Result fullNf4 = Cli.run(train("--full", "--quantize", "nf4"));
        assertThat(fullNf4.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(fullNf4.err()).contains("--full trains every weight, so the base cannot be quantized");
        Cli.Result fullBf16 = Cli.run(train("--full", "--base-dtype", "bf16"));
        assertThat(fullBf16.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(fullBf16.err()).contains("--full trains every weight in fp32, so --base-dtype bf16");
        Path yaml = dir.resolve("eight-bit.yaml");
        Files.writeString(yaml, "model_name_or_path: " + base + "\nquantization_bit: 8\n");
        Cli.Result eightBit = Cli.run("train", "--config", yaml.toString(), "--data", data.toString(), "--out",
                dir.resolve("run").toString());
        assertThat(eightBit.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(eightBit.err()).contains(yaml + ":2: key 'quantization_bit': Kefu quantizes the frozen base to 4 bits only");
        Cli.Result cuda = Cli.run(train("--device", "cuda:0"));
        assertThat(cuda.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(cuda.err()).contains("engine 'djl' cannot compute on device cuda:0");
        assertThat(dir.resolve("run")).doesNotExist();
    }
}
