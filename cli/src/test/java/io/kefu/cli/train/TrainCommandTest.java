package io.kefu.cli.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kefu model init}, {@code kefu train} and {@code kefu merge} end to end on a tiny model. */
class TrainCommandTest {
    @TempDir
    Path dir;

    @Test
    void initTrainResumeAndMerge() throws Exception {
        Path tokenizer = Path.of(System.getProperty("kefu.tokenizers.dir"), "llama3");
        Path config = dir.resolve("small.json");
        Files.writeString(config, "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 1,"
                + " \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": 128256,"
                + " \"tie_word_embeddings\": true, \"torch_dtype\": \"float32\"}");
        Cli.Result init = Cli.run("model", "init", "--arch", "llama", "--config", config.toString(), "--tokenizer",
                tokenizer.toString(), "--out", dir.resolve("base").toString(), "--seed", "3");
        assertThat(init.exitCode()).as(init.err()).isZero();
        assertThat(dir.resolve("base/generation_config.json")).content().contains("128009"); // <|eot_id|>

        Path data = dir.resolve("train.jsonl");
        List<String> lines = Files.readAllLines(Path.of(System.getProperty("kefu.repo.dir"), "examples", "shop", "train.jsonl"));
        Files.write(data, lines.subList(0, 10)); // the data loader wants at least 10 examples
        String[] train = {"train", "--model", dir.resolve("base").toString(), "--data", data.toString(), "--out",
                dir.resolve("run").toString(), "--epochs", "1", "--batch-size", "4", "--grad-accum", "1", "--lr", "1e-3"};
        Cli.Result trained = Cli.run(train);
        assertThat(trained.exitCode()).as(trained.err()).isZero();
        assertThat(trained.out()).contains("step 3/3", "wrote " + dir.resolve("run").resolve("adapter"));
        assertThat(dir.resolve("run/adapter/adapter_model.safetensors")).exists();
        assertThat(dir.resolve("run/metrics.jsonl")).exists();

        Cli.Result again = Cli.run(train);
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("resumed at step 3").doesNotContain("step 1/3");

        Cli.Result merged = Cli.run("merge", "--model", dir.resolve("base").toString(), "--adapter",
                dir.resolve("run/adapter").toString(), "--out", dir.resolve("merged").toString());
        assertThat(merged.exitCode()).as(merged.err()).isZero();
        assertThat(dir.resolve("merged/model.safetensors")).exists();
        assertThat(dir.resolve("merged/tokenizer.json")).exists();

        Cli.Result refused = Cli.run("merge", "--model", dir.resolve("base").toString(), "--adapter",
                dir.resolve("run/adapter").toString(), "--out", dir.resolve("merged").toString());
        assertThat(refused.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(refused.err()).contains("already exists");
    }

    @Test
    void configFileSetsTheRunAndFlagsOverrideIt() throws Exception {
        Path config = dir.resolve("small.json");
        Files.writeString(config, "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 1,"
                + " \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": 128256,"
                + " \"tie_word_embeddings\": true, \"torch_dtype\": \"float32\"}");
        io.kefu.model.Engines.get("djl").initCheckpoint("llama", config,
                Path.of(System.getProperty("kefu.tokenizers.dir"), "llama3"), dir.resolve("base"), 5);
        Path data = dir.resolve("train.jsonl");
        List<String> lines = Files.readAllLines(Path.of(System.getProperty("kefu.repo.dir"), "examples", "shop", "train.jsonl"));
        Files.write(data, lines.subList(0, 10));
        Path yaml = dir.resolve("run.yaml");
        Files.writeString(yaml, """
                model_name_or_path: %s
                dataset: %s
                output_dir: %s
                finetuning_type: lora
                lora_rank: 4
                lora_alpha: 8
                lora_target: q_proj,v_proj
                num_train_epochs: 1
                per_device_train_batch_size: 8
                gradient_accumulation_steps: 1
                learning_rate: 1.0e-3
                lr_scheduler_type: constant
                """.formatted(dir.resolve("base"), data, dir.resolve("run")));

        Cli.Result trained = Cli.run("train", "--config", yaml.toString(), "--lr", "5e-4", "--lora-r", "2");

        assertThat(trained.exitCode()).as(trained.err()).isZero();
        // the file's epochs and batch size: 10 examples in batches of 8 is 2 steps (the flag defaults would give 3 x ceil(10/16))
        assertThat(trained.out()).contains("step 2/2", "wrote " + dir.resolve("run").resolve("adapter"))
                .doesNotContain("step 3/");
        // the --lr flag wins over learning_rate, with the file's constant schedule
        assertThat(trained.out()).contains("lr 5.00e-04").doesNotContain("lr 1.00e-03");
        String adapterConfig = Files.readString(dir.resolve("run/adapter/adapter_config.json"));
        assertThat(adapterConfig).containsPattern("\"r\"\\s*:\\s*2\\b")  // --lora-r over lora_rank: 4
                .containsPattern("\"lora_alpha\"\\s*:\\s*8(\\.0)?\\b"); // lora_alpha from the file

        Path noModel = dir.resolve("no-model.yaml");
        Files.writeString(noModel, "dataset: " + data + "\noutput_dir: " + dir.resolve("run2") + "\n");
        Cli.Result missing = Cli.run("train", "--config", noModel.toString());
        assertThat(missing.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(missing.err()).contains("--model", "model_name_or_path");
        assertThat(dir.resolve("run2")).doesNotExist();
    }

    @Test
    void methodDpoTrainsOnChosenAndRejectedPairs() throws Exception {
        Path repo = Path.of(System.getProperty("kefu.repo.dir"));
        Path data = dir.resolve("pref.jsonl");
        List<String> lines = Files.readAllLines(repo.resolve("examples/shop/train.jsonl")).subList(0, 10);
        // LLaMA-Factory's ranking records: the answer as "chosen" beside "rejected"
        Files.write(data, lines.stream().map(l -> l.replace("\"output\":", "\"chosen\":").replaceFirst("\\}$", ",\"rejected\":\"不知道。\"}"))
                .toList());
        String model = repo.resolve("examples/models/demo-base").toString();
        Cli.Result trained = Cli.run("train", "--model", model, "--data", data.toString(), "--out", dir.resolve("dpo").toString(),
                "--method", "dpo", "--pref-beta", "0.2", "--pref-ftx", "0.1", "--epochs", "1", "--batch-size", "5", "--grad-accum", "1",
                "--max-length", "512");
        assertThat(trained.exitCode()).as(trained.err()).isZero();
        assertThat(trained.out()).contains("step 2/2", "wrote " + dir.resolve("dpo").resolve("adapter"));
        assertThat(dir.resolve("dpo/adapter/adapter_model.safetensors")).exists();

        // DPO after SFT: the SFT adapter is where the run starts and the reference it is compared with
        Path sftData = dir.resolve("sft.jsonl");
        Files.write(sftData, lines);
        Cli.Result sft = Cli.run("train", "--model", model, "--data", sftData.toString(), "--out", dir.resolve("sft").toString(),
                "--epochs", "1", "--batch-size", "5", "--grad-accum", "1", "--max-length", "512", "--lr", "2e-3");
        assertThat(sft.exitCode()).as(sft.err()).isZero();
        Cli.Result after = Cli.run("train", "--model", model, "--data", data.toString(), "--out", dir.resolve("dpo-after-sft").toString(),
                "--method", "dpo", "--init-adapter", dir.resolve("sft/adapter").toString(), "--epochs", "1", "--batch-size", "5",
                "--grad-accum", "1", "--max-length", "512");
        assertThat(after.exitCode()).as(after.err()).isZero();
        assertThat(after.out()).contains("loss 0.6931"); // the first step starts equal to its reference: ln 2
        assertThat(dir.resolve("dpo-after-sft/adapter/kefu_provenance.json")).content()
                .contains("\"stage\"", "\"dpo\"", dir.resolve("sft/adapter").toString());

        Cli.Result badMethod = Cli.run("train", "--model", model, "--data", data.toString(), "--out", dir.resolve("x").toString(),
                "--method", "ppo");
        assertThat(badMethod.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(badMethod.err()).contains("--method ppo: expected one of sft, dpo");
        Cli.Result smoothedOrpo = Cli.run("train", "--model", model, "--data", data.toString(), "--out", dir.resolve("y").toString(),
                "--method", "dpo", "--pref-loss", "orpo", "--label-smoothing", "0.1");
        assertThat(smoothedOrpo.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(smoothedOrpo.err()).contains("labelSmoothing=0.1 applies to the sigmoid (DPO) loss only, not ORPO");
        assertThat(dir.resolve("x")).doesNotExist();
        assertThat(dir.resolve("y")).doesNotExist();
    }

    /** What coreutils' sha256sum prints for the bytes of these files, one after another. */
    private static String sha256sum(Path... files) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("sh", "-c", "cat \"$@\" | sha256sum", "sh"));
        for (Path f : files) {
            cmd.add(f.toString());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out.substring(0, 64);
    }

    @Test
    void nextMonthContinuesFromTheAdapterWithReplayAndRecordsWhereItCameFrom() throws Exception {
        Path config = dir.resolve("small.json");
        Files.writeString(config, "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 1,"
                + " \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": 128256,"
                + " \"tie_word_embeddings\": true, \"torch_dtype\": \"float32\"}");
        Path base = dir.resolve("base");
        io.kefu.model.Engines.get("djl").initCheckpoint("llama", config,
                Path.of(System.getProperty("kefu.tokenizers.dir"), "llama3"), base, 5);
        List<String> lines = Files.readAllLines(Path.of(System.getProperty("kefu.repo.dir"), "examples", "shop", "train.jsonl"));
        Path may = dir.resolve("may.jsonl");
        Files.write(may, lines.subList(0, 20));
        Path june = dir.resolve("june.jsonl");
        List<String> juneLines = new java.util.ArrayList<>(lines.subList(20, 30));
        juneLines.add(lines.get(3)); // asked again in June: never replayed from May
        Files.write(june, juneLines);
        String[] common = {"--model", base.toString(), "--epochs", "1", "--batch-size", "8", "--grad-accum", "1", "--lr", "1e-3"};

        Cli.Result mayRun = Cli.run(concat(new String[] {"train", "--data", may.toString(), "--out", dir.resolve("may").toString(),
                "--lora-r", "4", "--lora-alpha", "8"}, common));
        assertThat(mayRun.exitCode()).as(mayRun.err()).isZero();
        Path mayAdapter = dir.resolve("may/adapter");
        assertThat(Files.readString(mayAdapter.resolve("kefu_provenance.json")))
                .contains("\"parent_adapter\" : null", sha256sum(may));

        Cli.Result juneRun = Cli.run(concat(new String[] {"train", "--data", june.toString(), "--out", dir.resolve("june").toString(),
                "--init-adapter", mayAdapter.toString(), "--replay", may.toString(), "--replay-ratio", "0.5"}, common));

        assertThat(juneRun.exitCode()).as(juneRun.err()).isZero();
        // 11 new records at ratio 0.5 ask for 11 of May's; the one June repeats is left out
        assertThat(juneRun.out()).contains("replay: 11 records of " + may + " mixed into 11 new (ratio 0.5); 1 left out as already in the new data")
                .contains("step 3/3"); // 22 examples in batches of 8
        Path juneAdapter = dir.resolve("june/adapter");
        String adapterConfig = Files.readString(juneAdapter.resolve("adapter_config.json"));
        assertThat(adapterConfig).containsPattern("\"r\"\\s*:\\s*4\\b")     // the parent's settings by default
                .containsPattern("\"lora_alpha\"\\s*:\\s*8\\b");
        com.fasterxml.jackson.databind.JsonNode provenance = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Files.readString(juneAdapter.resolve("kefu_provenance.json")));
        String mayHash = sha256sum(mayAdapter.resolve("adapter_config.json"), mayAdapter.resolve("adapter_model.safetensors"));
        assertThat(provenance.path("base_model").asText()).isEqualTo(base.toString());
        assertThat(provenance.path("parent_adapter").path("path").asText()).isEqualTo(mayAdapter.toString());
        assertThat(provenance.path("parent_adapter").path("sha256").asText()).isEqualTo(mayHash);
        assertThat(provenance.path("data").get(0).path("sha256").asText()).isEqualTo(sha256sum(june));
        assertThat(provenance.path("data").get(0).path("examples").asInt()).isEqualTo(11);
        assertThat(provenance.path("data").get(1).path("role").asText()).isEqualTo("replay");
        assertThat(provenance.path("data").get(1).path("sha256").asText()).isEqualTo(sha256sum(may));
        assertThat(provenance.path("replay").path("replayed").asInt()).isEqualTo(11);
        assertThat(provenance.path("replay").path("duplicates_skipped").asInt()).isEqualTo(1);
        assertThat(provenance.path("config").path("lora_rank").asInt()).isEqualTo(4);
        assertThat(provenance.path("config").path("learning_rate").asDouble()).isEqualTo(1e-3);
        assertThat(provenance.path("config").path("adapter_name_or_path").asText()).isEqualTo(mayAdapter.toString());

        Cli.Result shown = Cli.run("adapters", "show", juneAdapter.toString());
        assertThat(shown.exitCode()).as(shown.err()).isZero();
        assertThat(shown.out()).contains("sha256      " + sha256sum(juneAdapter.resolve("adapter_config.json"),
                        juneAdapter.resolve("adapter_model.safetensors")))
                .contains("parent      " + mayAdapter + "  sha256 " + mayHash)
                .contains("train      " + june + "  11 examples  sha256 " + sha256sum(june))
                .contains("replay     " + may + "  20 examples  sha256 " + sha256sum(may))
                .contains("11 earlier examples mixed into 11 new (ratio 0.5, seed 42); 1 skipped as already in the new data")
                .contains("lora_rank: 4");
        Cli.Result json = Cli.run("adapters", "show", "--json", juneAdapter.toString());
        assertThat(json.out()).isEqualTo(Files.readString(juneAdapter.resolve("kefu_provenance.json")));
        assertThat(Cli.run("adapters", "show", mayAdapter.toString()).out())
                .contains("parent      none (trained from a fresh initialisation)");

        Cli.Result otherRank = Cli.run(concat(new String[] {"train", "--data", june.toString(), "--out", dir.resolve("refused").toString(),
                "--init-adapter", mayAdapter.toString(), "--lora-r", "8"}, common));
        assertThat(otherRank.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(otherRank.err()).contains("cannot continue from adapter " + mayAdapter, "its rank r=4 differs from this run's r=8");
        assertThat(dir.resolve("refused")).doesNotExist();

        Cli.Result noRatio = Cli.run(concat(new String[] {"train", "--data", june.toString(), "--out", dir.resolve("refused").toString(),
                "--replay", may.toString()}, common));
        assertThat(noRatio.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(noRatio.err()).contains("--replay needs --replay-ratio");
        Cli.Result full = Cli.run(concat(new String[] {"train", "--data", june.toString(), "--out", dir.resolve("refused").toString(),
                "--init-adapter", mayAdapter.toString(), "--full"}, common));
        assertThat(full.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(full.err()).contains("--full trains every weight");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
