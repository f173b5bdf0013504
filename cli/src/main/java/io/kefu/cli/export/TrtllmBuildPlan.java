package io.kefu.cli.export;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.Architecture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The commands that turn a merged Hugging Face checkpoint into a TensorRT-LLM engine folder the
 * {@code trtllm} engine loads: convert the checkpoint with TensorRT-LLM's Python model classes, then
 * {@code trtllm-build} it (with the LoRA plugin when {@code loraRank > 0}, so PEFT adapters can be
 * served side by side), then copy the tokenizer files next to the engine.
 *
 * @param checkpoint the Hugging Face checkpoint folder
 * @param output the engine folder to write
 * @param architecture the checkpoint's architecture
 * @param dtype {@code float16} or {@code bfloat16}
 * @param maxBatchSize requests decoded together
 * @param maxInputLen the longest prompt in tokens
 * @param maxSeqLen the longest prompt plus answer in tokens
 * @param loraRank the largest adapter rank to serve; 0 builds without the LoRA plugin
 * @param loraTargets Hugging Face module names adapters may adapt ({@code q_proj} ...)
 */
record TrtllmBuildPlan(Path checkpoint, Path output, Architecture architecture, String dtype, int maxBatchSize,
                       int maxInputLen, int maxSeqLen, int loraRank, List<String> loraTargets) {
    /** TensorRT-LLM's names of the projections, as {@code --lora_target_modules} takes them. */
    static final Map<String, String> LORA_MODULES = Map.of(
            "q_proj", "attn_q", "k_proj", "attn_k", "v_proj", "attn_v", "o_proj", "attn_dense",
            "gate_proj", "mlp_h_to_4h", "up_proj", "mlp_gate", "down_proj", "mlp_4h_to_h");
    /** The tokenizer files copied next to the engine; generation_config.json only when present. */
    static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json");
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./=:,+-]+");

    /** Checks the values and copies the list. */
    TrtllmBuildPlan {
        loraTargets = List.copyOf(loraTargets);
        require(dtype.equals("float16") || dtype.equals("bfloat16"), "--dtype", dtype, "must be float16 or bfloat16");
        require(maxBatchSize > 0, "--max-batch-size", maxBatchSize, "must be positive");
        require(maxInputLen > 0, "--max-input-len", maxInputLen, "must be positive");
        require(maxSeqLen > maxInputLen, "--max-seq-len", maxSeqLen, "must exceed --max-input-len " + maxInputLen);
        require(loraRank >= 0, "--lora-rank", loraRank, "must be 0 (no LoRA plugin) or positive");
        for (String target : loraTargets) {
            require(LORA_MODULES.containsKey(target), "--lora-targets", target, "must be one of " + String.join(",", LORA_MODULES.keySet()));
        }
        require(loraRank == 0 || !loraTargets.isEmpty(), "--lora-targets", "(none)", "must name at least one module with --lora-rank");
    }

    private static void require(boolean ok, String option, Object value, String rule) {
        if (!ok) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, option + " " + value + ": " + rule);
        }
    }

    /** @return the folder the converted TensorRT-LLM checkpoint goes to (inside the output) */
    Path convertedCheckpoint() {
        return output.resolve("trtllm-checkpoint");
    }

    /** @return the TensorRT-LLM model class that reads this architecture from Hugging Face */
    String modelClass() {
        return architecture == Architecture.LLAMA ? "LLaMAForCausalLM" : "QWenForCausalLM";
    }

    /**
     * @return the conversion command; the paths and dtype reach Python as {@code sys.argv}, never inside
     *     the source text, so no folder name can change the code that runs
     */
    List<String> convertCommand() {
        String script = "import sys; from tensorrt_llm.models import " + modelClass() + " as M; "
                + "M.from_hugging_face(sys.argv[1], dtype=sys.argv[2]).save_checkpoint(sys.argv[3], save_config=True)";
        return List.of("python3", "-c", script, checkpoint.toAbsolutePath().toString(), dtype,
                convertedCheckpoint().toAbsolutePath().toString());
    }

    /** @return the trtllm-build command */
    List<String> buildCommand() {
        List<String> cmd = new ArrayList<>(List.of("trtllm-build",
                "--checkpoint_dir", convertedCheckpoint().toAbsolutePath().toString(),
                "--output_dir", output.toAbsolutePath().toString(),
                "--gemm_plugin", dtype,
                "--gpt_attention_plugin", dtype,
                "--remove_input_padding", "enable",
                "--paged_kv_cache", "enable",
                "--max_batch_size", Integer.toString(maxBatchSize),
                "--max_input_len", Integer.toString(maxInputLen),
                "--max_seq_len", Integer.toString(maxSeqLen)));
        if (loraRank > 0) {
            cmd.addAll(List.of("--lora_plugin", dtype, "--max_lora_rank", Integer.toString(loraRank), "--lora_target_modules"));
            loraTargets.forEach(t -> cmd.add(LORA_MODULES.get(t)));
        }
        return cmd;
    }

    /** @return a command as a POSIX shell would take it, quoting what needs quoting */
    static String shell(List<String> command) {
        StringBuilder sb = new StringBuilder();
        for (String arg : command) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(SAFE.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\\''") + "'");
        }
        return sb.toString();
    }
}
