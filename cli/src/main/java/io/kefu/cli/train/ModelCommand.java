package io.kefu.cli.train;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.cli.common.EngineOption;
import io.kefu.runtime.format.CheckpointCast;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.memory.ByteSize;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kefu model ...}: create model checkpoints. */
@Command(name = "model",
        mixinStandardHelpOptions = true,
        description = "Create and convert model checkpoints.",
        subcommands = {ModelCommand.Init.class, ModelCommand.Cast.class})
public final class ModelCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code kefu model init}: a random-init checkpoint of a real architecture. */
    @Command(name = "init",
            mixinStandardHelpOptions = true,
            description = {"Write a randomly initialised Hugging Face checkpoint of a real architecture.",
                    "Weights N(0, initializer_range), norms 1, as transformers initialises them, with the tokenizer files",
                    "and a generation_config.json that stops on the chat template's end of turn. Written as the weights are",
                    "drawn, in any dtype and sharded as the hub shards, so an 8B checkpoint needs little memory."},
            footer = {"", "Example:", "  kefu model init --arch qwen3 --config small.json --tokenizer tok/ --out models/tiny --seed 1",
                    "  kefu model init --arch llama --config llama3-8b.json --tokenizer tok/ --out models/llama3-8b --dtype bf16"})
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--arch", required = true, description = "llama, qwen2 or qwen3.")
        String arch;

        @Option(names = "--config", required = true, paramLabel = "FILE",
                description = "config.json with the sizes (hidden_size, intermediate_size, num_hidden_layers, "
                        + "num_attention_heads, vocab_size ...).")
        Path config;

        @Option(names = "--tokenizer", required = true, paramLabel = "DIR",
                description = "Folder with tokenizer.json and tokenizer_config.json (with chat_template).")
        Path tokenizer;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "New checkpoint folder (must not exist or be empty).")
        Path out;

        @Option(names = "--seed", defaultValue = "0", description = "Initialisation seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--dtype", paramLabel = "fp32|fp16|bf16",
                description = "Weight type to store (default: the config's torch_dtype, else fp32).")
        String dtype;

        @Option(names = "--max-shard-size", paramLabel = "SIZE", defaultValue = "5GB",
                description = "Largest shard, as transformers' max_shard_size: 5GB = 5*10^9 bytes, 2GiB = 2*2^30 "
                        + "(default: ${DEFAULT-VALUE}).")
        String maxShardSize;

        @Mixin
        EngineOption engine;

        @Override
        public Integer call() {
            java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
            if (dtype != null) {
                options.put("dtype", dtype);
            }
            options.put("max_shard_bytes", String.valueOf(ByteSize.parse(maxShardSize, "--max-shard-size")));
            engine.get().initCheckpoint(arch, config, tokenizer, out, seed, options);
            spec.commandLine().getOut().println("wrote " + out);
            return 0;
        }
    }

    /** {@code kefu model cast}: the same checkpoint with its weights stored in another dtype. */
    @Command(name = "cast",
            mixinStandardHelpOptions = true,
            description = {"Copy a checkpoint with its floating-point weights stored as fp32, fp16 or bf16.",
                    "Weights are rounded to nearest, config.json's torch_dtype set to match and the other files unchanged."},
            footer = {"", "Example:", "  kefu model cast --model out/run/model --dtype bf16 --out models/small-bf16"})
    static final class Cast implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint folder.")
        Path model;

        @Option(names = "--dtype", required = true, paramLabel = "fp32|fp16|bf16", description = "Weight type to store.")
        String dtype;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "New checkpoint folder (must not exist or be empty).")
        Path out;

        @Override
        public Integer call() {
            Dtype target = switch (dtype.toLowerCase(java.util.Locale.ROOT)) {
                case "fp32", "float32" -> Dtype.F32;
                case "fp16", "float16" -> Dtype.F16;
                case "bf16", "bfloat16" -> Dtype.BF16;
                default -> throw new KefuException(ErrorCode.INVALID_ARGUMENT,
                        "--dtype " + dtype + ": expected fp32, fp16 or bf16");
            };
            CheckpointCast.cast(model, target, out);
            spec.commandLine().getOut().println("wrote " + out);
            return 0;
        }
    }
}
