package io.kefu.cli.export;

import io.kefu.model.Engines;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code kefu export}: write a checkpoint in an engine's own format. */
@Command(name = "export",
        mixinStandardHelpOptions = true,
        description = "Export a Hugging Face checkpoint (optionally with a LoRA adapter merged in) to another format.",
        subcommands = {ExportCommand.Onnx.class})
public final class ExportCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code kefu export onnx}: an ONNX decoder with a key/value cache, through the {@code onnx} engine. */
    @Command(name = "onnx",
            mixinStandardHelpOptions = true,
            description = {"Export to ONNX: a decoder with key/value cache for ONNX Runtime, with its config and tokenizer.",
                    "Writes model.onnx (decoder with key/value cache, ONNX Runtime GenAI / Optimum names),",
                    "genai_config.json, config.json, generation_config.json and the tokenizer files into a new folder.",
                    "Models over 2 GB keep their weights in model.onnx.data beside the graph."},
            footer = {"", "Examples:",
                    "  kefu export onnx --model models/qwen2.5-0.5b --out out/onnx",
                    "  kefu export onnx --model models/qwen2.5-0.5b --adapter out/shop-lora --out out/shop-onnx --dtype fp16"})
    public static final class Onnx implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face checkpoint folder (llama, qwen2, qwen3).")
        Path model;

        @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA adapter folder to merge (W + scale * B A, in fp32).")
        Path adapter;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "New or empty output folder.")
        Path out;

        @Option(names = "--dtype", defaultValue = "fp32", paramLabel = "fp32|fp16",
                description = "Weight and activation type (default: ${DEFAULT-VALUE}; fp16 is meant for GPUs).")
        String dtype;

        @Option(names = "--operators", defaultValue = "contrib", paramLabel = "contrib|standard",
                description = "contrib: ONNX Runtime's fused operators where they fit; standard: plain ONNX opset 17 (default: ${DEFAULT-VALUE}).")
        String operators;

        @Option(names = "--logits", defaultValue = "last", paramLabel = "last|all",
                description = {"last: logits of the last position only, all generation needs (default);",
                        "all: every position (batch, sequence, vocab), for scoring whole sequences."})
        String logits;

        @Option(names = "--external-data", description = "Keep the weights in model.onnx.data even when the model is small.")
        boolean externalData;

        @Option(names = "--context-length", paramLabel = "N", description = "Positions the exported model supports (default: max_position_embeddings).")
        Integer contextLength;

        @Option(names = "--quantize", defaultValue = "none", paramLabel = "none|int4|int8",
                description = {"Weight-only quantization of every linear layer (ONNX Runtime's MatMulNBits; the adapter is",
                        "merged first): int4 reads about 1/7 of fp32's bytes per token, int8 about 2/7 (default: ${DEFAULT-VALUE})."})
        String quantize;

        @Option(names = "--block-size", defaultValue = "32", paramLabel = "N",
                description = "Weights per quantization block along the input dimension: 16, 32, 64, 128 or 256 (default: ${DEFAULT-VALUE}).")
        int blockSize;

        @Option(names = "--symmetric", description = "Symmetric blocks: a scale only, no zero point (default: a zero point per block).")
        boolean symmetric;

        @Option(names = "--accuracy-level", defaultValue = "4", paramLabel = "0|1|2|4",
                description = {"How ONNX Runtime may compute with quantized weights: 4 quantizes the activations to int8 per block",
                        "(fastest on CPUs with VNNI), 0 or 1 keeps them fp32 (default: ${DEFAULT-VALUE})."})
        int accuracyLevel;

        @Option(names = "--quantize-lm-head", description = "Quantize the output head too (default: it stays in --dtype).")
        boolean quantizeLmHead;

        @Option(names = "--quantize-embedding", description = {"Store the token embedding quantized too, looked up with ONNX Runtime's",
                "GatherBlockQuantized (default: fp16); a tied embedding needs --quantize-lm-head as well."})
        boolean quantizeEmbedding;

        @Option(names = "--kv-cache", defaultValue = "growing", paramLabel = "growing|shared",
                description = {"growing: each step's present outputs are the next step's past, any attention mask (as Optimum);",
                        "shared: one fixed-size buffer GroupQueryAttention writes in place (ONNX Runtime GenAI's",
                        "past_present_share_buffer), nothing copied per step; needs --operators contrib (default: ${DEFAULT-VALUE})."})
        String kvCache;

        @Override
        public Integer call() {
            Map<String, String> options = new LinkedHashMap<>();
            options.put("dtype", dtype);
            options.put("operators", operators);
            options.put("externalData", Boolean.toString(externalData));
            options.put("logits", logits);
            options.put("kvCache", kvCache);
            if (contextLength != null) {
                options.put("contextLength", Integer.toString(contextLength));
            }
            if (!quantize.equalsIgnoreCase("none") || quantizeLmHead || quantizeEmbedding) {
                options.put("quantize", quantize);
                options.put("blockSize", Integer.toString(blockSize));
                options.put("symmetric", Boolean.toString(symmetric));
                options.put("accuracyLevel", Integer.toString(accuracyLevel));
                options.put("quantizeLmHead", Boolean.toString(quantizeLmHead));
                options.put("quantizeEmbedding", Boolean.toString(quantizeEmbedding));
            }
            Path written = Engines.get("onnx").export(model, Optional.ofNullable(adapter), out, options);
            PrintWriter w = spec.commandLine().getOut();
            w.println("exported " + model + (adapter == null ? "" : " + adapter " + adapter) + " to " + written
                    + " (" + dtype + ", " + operators + " operators, " + kvCache.toLowerCase(java.util.Locale.ROOT) + " kv cache"
                    + (quantize.equalsIgnoreCase("none") ? ""
                    : ", " + quantize.toLowerCase(java.util.Locale.ROOT) + " block " + blockSize) + ")");
            w.flush();
            return 0;
        }
    }
}
