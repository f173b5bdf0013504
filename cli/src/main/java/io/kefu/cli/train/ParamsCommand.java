package io.kefu.cli.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.format.Json;
import io.kefu.runtime.format.ParameterCount;
import io.kefu.train.LoraConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kefu params}: PEFT's "trainable params" line for a model folder, computed from config.json
 * alone (no weights are read).
 */
@Command(name = "params",
        description = {"Print PEFT's line of trainable and total parameters for a model, from its config.json alone.",
            "The line reads 'trainable params: X || all params: Y || trainable%%: Z'.",
            "LoRA by default (r=8 on q_proj,v_proj); --full for full fine-tuning."},
        mixinStandardHelpOptions = true)
public final class ParamsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model folder (or its config.json).")
    Path model;

    @Option(names = "--lora-r", paramLabel = "N", defaultValue = "8", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--lora-target", paramLabel = "MODULES", split = ",", defaultValue = "q_proj,v_proj",
            description = "Comma-separated modules among q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj, "
                    + "or all-linear (default: ${DEFAULT-VALUE}).")
    List<String> targets;

    @Option(names = "--full", description = "Count full fine-tuning (every parameter trainable) instead of LoRA.")
    boolean full;

    @Option(names = "--json", description = "Print a JSON object instead of the PEFT line.")
    boolean json;

    @Override
    public void run() {
        HfModelConfig config = HfModelConfig.load(model);
        LoraConfig lora = full ? null : LoraConfig.builder().rank(rank).targets(targets).build();
        ParameterCount count = full ? ParameterCount.full(config) : ParameterCount.lora(config, lora);
        if (!json) {
            spec.commandLine().getOut().println(count.peftLine());
            return;
        }
        ObjectMapper mapper = Json.mapper();
        ObjectNode out = mapper.createObjectNode();
        out.put("model", model.toString());
        out.put("architecture", config.architecture().className());
        out.put("method", full ? "full" : "lora");
        if (lora != null) {
            out.put("rank", lora.rank());
            lora.targets().forEach(out.putArray("targets")::add);
        }
        out.put("trainableParams", count.trainable());
        out.put("allParams", count.all());
        out.put("baseParams", count.frozen() == 0 ? count.all() : count.frozen());
        out.put("trainablePercent", count.trainablePercent());
        out.put("peftLine", count.peftLine());
        spec.commandLine().getOut().println(out.toPrettyString());
    }
}
