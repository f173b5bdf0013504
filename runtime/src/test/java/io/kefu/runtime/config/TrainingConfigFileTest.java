package io.kefu.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.train.BaseDtype;
import io.kefu.train.LoraConfig;
import io.kefu.train.Schedule;
import io.kefu.train.PreferenceLoss;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingMethod;
import io.kefu.train.WeightQuantization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingConfigFileTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    @Test
    void readsLlamaFactoryKeysFromYaml() throws IOException {
        Path file = write("sft.yaml", """
                ### model
                model_name_or_path: Qwen/Qwen2.5-0.5B-Instruct
                stage: sft
                do_train: true
                finetuning_type: lora
                lora_rank: 16
                lora_alpha: 32
                lora_dropout: 0.1
                lora_target: q_proj, v_proj ,o_proj
                use_rslora: true
                dataset: examples/shop/train.jsonl
                num_train_epochs: 2.0
                learning_rate: 1.0e-4
                per_device_train_batch_size: 2
                gradient_accumulation_steps: 8
                lr_scheduler_type: linear
                warmup_ratio: 0.1
                weight_decay: 0.01
                max_grad_norm: 0.5
                cutoff_len: 512
                seed: 7
                train_on_prompt: false
                output_dir: out/shop-lora
                save_steps: 50
                logging_steps: 5
                max_non_finite_steps: 6
                """);

        TrainingConfigFile config = TrainingConfigFile.load(file);
        TrainingConfig t = config.trainingConfig();
        LoraConfig lora = t.lora().orElseThrow();

        assertThat(lora.rank()).isEqualTo(16);
        assertThat(lora.alpha()).isEqualTo(32.0);
        assertThat(lora.dropout()).isEqualTo(0.1);
        assertThat(lora.targets()).containsExactly("q_proj", "v_proj", "o_proj");
        assertThat(lora.rsLora()).isTrue();
        assertThat(t.epochs()).isEqualTo(2);
        assertThat(t.learningRate()).isEqualTo(1e-4);
        assertThat(t.batchSize()).isEqualTo(2);
        assertThat(t.gradientAccumulation()).isEqualTo(8);
        assertThat(t.schedule()).isEqualTo(Schedule.LINEAR);
        assertThat(t.warmupRatio()).isEqualTo(0.1);
        assertThat(t.weightDecay()).isEqualTo(0.01);
        assertThat(t.maxGradNorm()).isEqualTo(0.5);
        assertThat(t.maxLength()).isEqualTo(512);
        assertThat(t.seed()).isEqualTo(7);
        assertThat(t.trainOnPrompt()).isFalse();
        assertThat(t.checkpointDir()).contains(Path.of("out/shop-lora"));
        assertThat(t.checkpointEverySteps()).isEqualTo(50);
        assertThat(t.logEverySteps()).isEqualTo(5);
        assertThat(t.maxNonFiniteSteps()).isEqualTo(6);
        assertThat(config.model()).contains("Qwen/Qwen2.5-0.5B-Instruct");
        assertThat(config.dataset()).contains(Path.of("examples/shop/train.jsonl"));
        assertThat(config.outputDir()).contains(Path.of("out/shop-lora"));
        assertThat(config.has("lora_rank")).isTrue();
        assertThat(config.has("seed")).isTrue();
        assertThat(config.keyLines()).containsEntry("model_name_or_path", 2).containsEntry("logging_steps", 25);
    }

    @Test
    void readsJsonAndKeepsDefaultsForMissingKeys() throws IOException {
        Path file = write("full.json", """
                {"finetuning_type": "full", "num_train_epochs": 1, "lr_scheduler_type": "constant"}
                """);

        TrainingConfig t = TrainingConfigFile.load(file).trainingConfig();

        assertThat(t.isFullFineTune()).isTrue();
        assertThat(t.epochs()).isEqualTo(1);
        assertThat(t.schedule()).isEqualTo(Schedule.CONSTANT);
        assertThat(t.learningRate()).isEqualTo(TrainingConfig.builder().build().learningRate());
        assertThat(t.maxLength()).isEqualTo(1024);
    }

    @Test
    void loraTargetAllAndYamlListsWork() throws IOException {
        assertThat(TrainingConfigFile.load(write("a.yaml", "lora_target: all\n")).trainingConfig().lora().orElseThrow().targets())
                .isEqualTo(LoraConfig.LINEAR_MODULES);
        assertThat(TrainingConfigFile.load(write("b.yaml", "lora_target:\n  - k_proj\n  - up_proj\n"))
                .trainingConfig().lora().orElseThrow().targets()).containsExactly("k_proj", "up_proj");
    }

    @Test
    void settingsWrittenByKeysOfReadBackAndBadOnesNameTheirOrigin() {
        TrainingConfig config = TrainingConfig.builder().lora(LoraConfig.builder().rank(16).alpha(32).targets(LoraConfig.ALL_LINEAR).build())
                .epochs(2).learningRate(3e-3).batchSize(8).gradientAccumulation(1).schedule(Schedule.LINEAR).warmupRatio(0.05)
                .maxLength(640).seed(7).build();
        Path origin = Path.of("out/may/adapter/kefu_provenance.json");
        TrainingConfigFile read = TrainingConfigFile.fromKeys(TrainingConfigFile.keysOf(config), origin);
        assertThat(read.file()).isEqualTo(origin);
        assertThat(TrainingConfigFile.keysOf(read.trainingConfig())).isEqualTo(TrainingConfigFile.keysOf(config));

        java.util.Map<String, Object> bad = new java.util.LinkedHashMap<>(TrainingConfigFile.keysOf(config));
        bad.put("learning_rate", "fast");
        assertThatThrownBy(() -> TrainingConfigFile.fromKeys(bad, origin))
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("kefu_provenance.json").hasMessageContaining("learning_rate");
    }

    @Test
    void unknownKeysAreRefusedWithFileAndLine() throws IOException {
        Path file = write("bad.yaml", "lora_rank: 8\n\nlora_rnak: 16\n");
        assertThatThrownBy(() -> TrainingConfigFile.load(file))
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageStartingWith(file + ":3: unknown key 'lora_rnak'")
                .hasMessageContaining("lora_rank");
    }

    @Test
    void badValuesAreRefusedAtTheirLine() throws IOException {
        assertLocated(write("t.yaml", "seed: 1\nlora_rank: eight\n"), ":2: key 'lora_rank': expected a whole number, got 'eight'");
        assertLocated(write("r.yaml", "lora_rank: 0\n"), ":1: key 'lora_rank': lora rank=0 must be at least 1");
        assertLocated(write("e.yaml", "\nnum_train_epochs: 2.5\n"), ":2: key 'num_train_epochs': Kefu trains whole epochs");
        assertLocated(write("s.yaml", "lr_scheduler_type: polynomial\n"), ":1: key 'lr_scheduler_type': 'polynomial' is not one of constant, cosine, linear");
        assertLocated(write("b.yaml", "train_on_prompt: maybe\n"), ":1: key 'train_on_prompt': expected true or false");
        assertLocated(write("w.yaml", "warmup_ratio: 1.5\n"), ":1: key 'warmup_ratio': training config warmupRatio=1.5 must be in [0, 1)");
        assertLocated(write("d.yaml", "seed: 1\nseed: 2\n"), ":2: key 'seed' appears twice (first at line 1)");
        assertLocated(write("n.yaml", "learning_rate:\n"), ":1: key 'learning_rate' has no value");
        assertLocated(write("f.yaml", "finetuning_type: full\nlora_rank: 8\n"), ":2: key 'lora_rank' is a LoRA setting but finetuning_type is full");
        assertLocated(write("g.yaml", "stage: ppo\n"), ":1: key 'stage': 'ppo' is not one of dpo, sft");
        assertLocated(write("h.yaml", "stage: dpo\npref_loss: orpo\ndpo_label_smoothing: 0.1\n"),
                ":3: key 'dpo_label_smoothing': training config labelSmoothing=0.1 applies to the sigmoid (DPO) loss only, not ORPO");
        assertLocated(write("l.yaml", "- lora_rank\n"), ":1: a training config is a mapping");
        assertLocated(write("y.yaml", "lora_rank: [1, 2\n"), ":2: not valid YAML or JSON: expected ',' or ']'");
        assertLocated(write("j.json", "{\"lora_rank\": 8,\n \"cutoff_len\": 4}\n"), ":2: key 'cutoff_len': training config maxLength=4 must be at least 8");
    }

    @Test
    void readsPreferenceKeys() throws IOException {
        TrainingConfig t = TrainingConfigFile.load(write("dpo.yaml", """
                stage: dpo
                pref_loss: simpo
                pref_beta: 2.0
                pref_ftx: 0.5
                simpo_gamma: 0.8
                """)).trainingConfig();
        assertThat(t.method()).isEqualTo(TrainingMethod.DPO);
        assertThat(t.prefLoss()).isEqualTo(PreferenceLoss.SIMPO);
        assertThat(t.prefBeta()).isEqualTo(2.0);
        assertThat(t.prefFtx()).isEqualTo(0.5);
        assertThat(t.simpoGamma()).isEqualTo(0.8);
        assertThat(TrainingConfigFile.load(write("l.yaml", "stage: dpo\ndpo_label_smoothing: 0.2\n")).trainingConfig().labelSmoothing())
                .isEqualTo(0.2);
    }

    @Test
    void continuingRunsReadTheInitAdapterAndTheReplayKeys() throws IOException {
        TrainingConfigFile file = TrainingConfigFile.load(write("june.yaml", """
                model_name_or_path: models/base
                dataset: data/june.jsonl
                adapter_name_or_path: out/may/adapter
                replay_dataset: data/may.jsonl
                replay_ratio: 0.2
                """));

        assertThat(file.trainingConfig().initAdapter()).contains(Path.of("out/may/adapter"));
        assertThat(file.replayDataset()).contains(Path.of("data/may.jsonl"));
        assertThat(file.replayRatio()).contains(0.2);
        assertThat(TrainingConfigFile.load(write("plain.yaml", "seed: 3\n")).replayRatio()).isEmpty();

        assertLocated(write("p.yaml", "replay_dataset: may.jsonl\n"), ":1: key 'replay_dataset' needs 'replay_ratio' too");
        assertLocated(write("q.yaml", "seed: 1\nreplay_ratio: 0.3\n"), ":2: key 'replay_ratio' needs 'replay_dataset' too");
        assertLocated(write("r.yaml", "replay_dataset: may.jsonl\nreplay_ratio: 1\n"), ":2: key 'replay_ratio': must be above 0 and below 1");
        assertLocated(write("a.yaml", "adapter_name_or_path: a,b\n"), ":1: key 'adapter_name_or_path': Kefu starts from one adapter folder");
        assertLocated(write("f.yaml", "finetuning_type: full\nadapter_name_or_path: out/may/adapter\n"),
                ":2: key 'adapter_name_or_path' is a LoRA setting but finetuning_type is full");
    }

    @Test
    void keysOfWritesAConfigBackAsTheFileKeysThatReadToTheSameConfig() throws IOException {
        TrainingConfig config = TrainingConfig.builder()
                .lora(LoraConfig.builder().rank(4).alpha(8).dropout(0.05).targets("q_proj", "down_proj").rsLora(true).build())
                .epochs(2).learningRate(5e-4).batchSize(2).gradientAccumulation(3).schedule(Schedule.LINEAR).warmupRatio(0.1)
                .weightDecay(0.01).maxGradNorm(0.5).maxLength(256).seed(9).trainOnPrompt(true).checkpointDir(Path.of("out/run"))
                .checkpointEverySteps(5).logEverySteps(2).earlyStoppingPatience(1).maxNonFiniteSteps(4)
                .initAdapter(Path.of("out/may/adapter")).baseDtype(BaseDtype.BF16).quantization(WeightQuantization.NF4)
                .gradientCheckpointing(true).build();
        StringBuilder yaml = new StringBuilder();
        TrainingConfigFile.keysOf(config).forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));

        TrainingConfig back = TrainingConfigFile.load(write("back.yaml", yaml.toString())).trainingConfig();

        assertThat(back.toString()).isEqualTo(config.toString());
        assertThat(back.lora()).isEqualTo(config.lora());
        assertThat(back.logEverySteps()).isEqualTo(2);
        assertThat(back.maxNonFiniteSteps()).isEqualTo(4);
        TrainingConfig dpo = config.toBuilder().method(TrainingMethod.DPO).prefLoss(PreferenceLoss.SIGMOID).prefBeta(0.2)
                .labelSmoothing(0.1).prefFtx(0.3).simpoGamma(0.7).build();
        StringBuilder dpoYaml = new StringBuilder();
        TrainingConfigFile.keysOf(dpo).forEach((k, v) -> dpoYaml.append(k).append(": ").append(v).append('\n'));
        assertThat(TrainingConfigFile.load(write("dpo-back.yaml", dpoYaml.toString())).trainingConfig().toString())
                .isEqualTo(dpo.toString());
        assertThat(TrainingConfigFile.keysOf(TrainingConfig.builder().fullFineTune().build()))
                .containsEntry("finetuning_type", "full").doesNotContainKeys("lora_rank", "adapter_name_or_path", "output_dir");
    }

    @Test
    void readsTheSizingKeysTheirOwnWayAndLlamaFactorysWay() throws IOException {
        TrainingConfig defaults = TrainingConfigFile.load(write("none.yaml", "seed: 1\n")).trainingConfig();
        assertThat(defaults.baseDtype()).isEqualTo(BaseDtype.AUTO);
        assertThat(defaults.quantization()).isEqualTo(WeightQuantization.NONE);
        assertThat(defaults.gradientCheckpointing()).isFalse();
        assertThat(defaults.fp16()).isFalse();

        TrainingConfig own = TrainingConfigFile.load(write("own.yaml",
                        "base_dtype: BF16\nquantize: nf4\ngradient_checkpointing: true\nfp16: true\nbf16: false\n")).trainingConfig();
        assertThat(own.fp16()).isTrue();
        assertThat(TrainingConfigFile.keysOf(own)).containsEntry("fp16", true);
        assertThat(own.baseDtype()).isEqualTo(BaseDtype.BF16);
        assertThat(own.quantization()).isEqualTo(WeightQuantization.NF4);
        assertThat(own.gradientCheckpointing()).isTrue();

        TrainingConfig factory = TrainingConfigFile.load(write("qlora.yaml", """
                quantization_bit: 4
                quantization_method: bitsandbytes
                quantization_type: nf4
                base_dtype: float16
                """)).trainingConfig();
        assertThat(factory.quantization()).isEqualTo(WeightQuantization.NF4);
        assertThat(factory.baseDtype()).isEqualTo(BaseDtype.FP16);
        assertThat(TrainingConfigFile.load(write("same.yaml", "quantize: nf4\nquantization_bit: 4\n")).trainingConfig().quantization())
                .isEqualTo(WeightQuantization.NF4);
    }

    @Test
    void badSizingValuesAreRefusedAtTheirLine() throws IOException {
        assertLocated(write("d.yaml", "seed: 1\nbase_dtype: int8\n"), ":2: key 'base_dtype': 'int8' is not one of auto, fp32, fp16, bf16");
        assertLocated(write("q.yaml", "quantize: int4\n"), ":1: key 'quantize': 'int4' is not one of none, nf4");
        assertLocated(write("b.yaml", "quantization_bit: 8\n"),
                ":1: key 'quantization_bit': Kefu quantizes the frozen base to 4 bits only (nf4, QLoRA); 8 bits is not supported");
        assertLocated(write("m.yaml", "quantization_bit: 4\nquantization_method: hqq\n"),
                ":2: key 'quantization_method': Kefu quantizes as bitsandbytes does (bnb); 'hqq' is not supported");
        assertLocated(write("t.yaml", "quantization_type: fp4\n"), ":1: key 'quantization_type': Kefu quantizes to nf4 only");
        assertLocated(write("c.yaml", "quantize: none\nseed: 1\nquantization_bit: 4\n"),
                ":3: key 'quantization_bit' asks for nf4 but 'quantize' (line 1) set none");
        assertLocated(write("g.yaml", "gradient_checkpointing: yes please\n"), ":1: key 'gradient_checkpointing': expected true or false");
        assertLocated(write("h.yaml", "seed: 1\nbf16: true\n"), ":2: key 'bf16': bf16 compute is not possible through the DJL engine");
        assertLocated(write("f.yaml", "finetuning_type: full\nbase_dtype: bf16\n"),
                ":2: key 'base_dtype': bf16 keeps a frozen LoRA base small, but finetuning_type is full");
        assertLocated(write("fq.yaml", "quantization_bit: 4\nfinetuning_type: full\n"),
                ":1: key 'quantization_bit' quantizes a frozen LoRA base, but finetuning_type is full");
    }

    @Test
    void aMissingFileIsNotFound() {
        assertThatThrownBy(() -> TrainingConfigFile.load(dir.resolve("none.yaml")))
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("none.yaml");
    }

    private static void assertLocated(Path file, String expected) {
        assertThatThrownBy(() -> TrainingConfigFile.load(file))
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining(file + expected);
    }
}
