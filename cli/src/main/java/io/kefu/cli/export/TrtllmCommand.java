package io.kefu.cli.export;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.HfModelConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kefu trtllm}: TensorRT-LLM helpers. */
@Command(name = "trtllm", description = "TensorRT-LLM helpers (engines for the 'trtllm' engine).",
        mixinStandardHelpOptions = true, subcommands = TrtllmCommand.BuildEngine.class)
public final class TrtllmCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code kefu trtllm build-engine}: prints, or with --run runs, the commands that build an engine folder. */
    @Command(name = "build-engine", mixinStandardHelpOptions = true,
            description = {"Print the commands that build a TensorRT-LLM engine folder from a merged Hugging Face checkpoint.",
                "They convert it, run trtllm-build with the LoRA plugin flags and copy the tokenizer files;",
                "--run runs them.",
                "Run them on the GPU the engine will serve on, inside NVIDIA's TensorRT-LLM container."})
    static final class BuildEngine implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Merged Hugging Face checkpoint folder.")
        Path checkpoint;

        @Option(names = "--output", required = true, paramLabel = "DIR", description = "Engine folder to write.")
        Path output;

        @Option(names = "--dtype", paramLabel = "TYPE", description = "float16 or bfloat16 (default: the checkpoint's torch_dtype, "
                + "bfloat16 for bf16 checkpoints, else float16).")
        String dtype;

        @Option(names = "--max-batch-size", defaultValue = "8", description = "Requests decoded together (default: ${DEFAULT-VALUE}).")
        int maxBatchSize;

        @Option(names = "--max-input-len", defaultValue = "2048", description = "Longest prompt in tokens (default: ${DEFAULT-VALUE}).")
        int maxInputLen;

        @Option(names = "--max-seq-len", defaultValue = "4096", description = "Longest prompt plus answer (default: ${DEFAULT-VALUE}).")
        int maxSeqLen;

        @Option(names = "--lora-rank", defaultValue = "0", description = "Largest LoRA rank to serve; 0 builds without the "
                + "LoRA plugin (default: ${DEFAULT-VALUE}).")
        int loraRank;

        @Option(names = "--lora-targets", split = ",", defaultValue = "q_proj,v_proj", paramLabel = "MODULES",
                description = "Modules adapters may adapt, among q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj "
                        + "(default: ${DEFAULT-VALUE}).")
        List<String> loraTargets;

        @Option(names = "--run", description = "Run the commands (needs python3 with tensorrt_llm and trtllm-build on the PATH).")
        boolean run;

        @Override
        public void run() {
            HfModelConfig config = HfModelConfig.load(checkpoint);
            String type = dtype != null ? dtype
                    : config.torchDtype().filter(d -> d == Dtype.BF16).isPresent() ? "bfloat16" : "float16";
            TrtllmBuildPlan plan = new TrtllmBuildPlan(checkpoint, output, config.architecture(), type, maxBatchSize,
                    maxInputLen, maxSeqLen, loraRank, loraRank > 0 ? loraTargets : List.of());
            PrintWriter out = spec.commandLine().getOut();
            if (!run) {
                out.println(TrtllmBuildPlan.shell(plan.convertCommand()));
                out.println(TrtllmBuildPlan.shell(plan.buildCommand()));
                for (String file : TrtllmBuildPlan.TOKENIZER_FILES) {
                    if (Files.exists(checkpoint.resolve(file))) {
                        out.println(TrtllmBuildPlan.shell(List.of("cp", checkpoint.resolve(file).toString(), output.resolve(file).toString())));
                    }
                }
                return;
            }
            execute(plan.convertCommand(), out);
            execute(plan.buildCommand(), out);
            copyTokenizer(out);
        }

        private void execute(List<String> command, PrintWriter out) {
            out.println("$ " + TrtllmBuildPlan.shell(command));
            out.flush();
            try {
                Files.createDirectories(output);
                Process process = new ProcessBuilder(command).inheritIO().start();
                int code = process.waitFor();
                if (code != 0) {
                    throw new KefuException(ErrorCode.ENGINE_FAILURE, command.get(0) + " exited with code " + code
                            + "; the engine folder " + output + " is incomplete");
                }
            } catch (IOException e) {
                throw new KefuException(ErrorCode.NOT_FOUND, "cannot start " + command.get(0) + " (" + e.getMessage()
                        + "); run inside NVIDIA's TensorRT-LLM container (see engine-trtllm/native/README.md)", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KefuException(ErrorCode.CANCELLED, command.get(0) + " was interrupted", e);
            }
        }

        private void copyTokenizer(PrintWriter out) {
            for (String file : TrtllmBuildPlan.TOKENIZER_FILES) {
                Path source = checkpoint.resolve(file);
                if (!Files.exists(source)) {
                    continue;
                }
                try {
                    Path tmp = AtomicFiles.tempSibling(output.resolve(file));
                    Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
                    AtomicFiles.moveIntoPlace(tmp, output.resolve(file));
                } catch (IOException e) {
                    throw new KefuException(ErrorCode.IO, "copying " + source + " into " + output + " failed: " + e.getMessage(), e);
                }
            }
            out.println("engine folder ready: " + output + " (load it with Engines.get(\"trtllm\"))");
        }
    }
}
