package io.kefu.cli.adapters;

import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.provenance.AdapterProvenance;
import io.kefu.runtime.provenance.Sha256;
import io.kefu.train.LoraConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kefu adapters show}: an adapter's settings, content hash and provenance. */
@Command(name = "show",
        mixinStandardHelpOptions = true,
        description = {"Show an adapter's LoRA settings, its content hash and where it came from.",
                "The content hash is the SHA-256 of adapter_config.json followed by adapter_model.safetensors",
                "(cat adapter_config.json adapter_model.safetensors | sha256sum); a run continued from this adapter",
                "records it as its parent. The provenance (kefu_provenance.json, written by kefu train) names the base",
                "model, the parent adapter, each data file with its SHA-256, the replay mix, the settings and any preference training."},
        footer = {"", "Example:", "  kefu adapters show out/june/adapter"})
public final class AdapterShowCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "Adapter folder (PEFT layout).")
    Path directory;

    @Option(names = "--json", description = "Print the provenance file as it is (nothing when the adapter has none).")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PeftAdapter adapter = PeftAdapter.load(directory);
        Optional<AdapterProvenance> provenance = AdapterProvenance.read(directory);
        if (json) {
            provenance.ifPresent(p -> out.print(p.toJson()));
            out.flush();
            return 0;
        }
        LoraConfig lora = adapter.config();
        row(out, "adapter", directory.toString());
        row(out, "sha256", Sha256.ofAdapter(directory));
        row(out, "base model", adapter.baseModel().isEmpty() ? "(not named)" : adapter.baseModel());
        row(out, "lora", "r=" + lora.rank() + " alpha=" + number(lora.alpha()) + " dropout=" + number(lora.dropout())
                + " targets=" + String.join(",", lora.targets()) + (lora.rsLora() ? " rslora" : ""));
        row(out, "tensors", adapter.tensorNames().size() + " in " + adapter.layers().size() + " layers");
        if (provenance.isEmpty()) {
            row(out, "provenance", "none (" + AdapterProvenance.FILE_NAME + " is absent: trained elsewhere or by an older Kefu)");
            return 0;
        }
        AdapterProvenance p = provenance.get();
        row(out, "parent", p.parent().map(parent -> parent.path() + "  sha256 " + parent.sha256())
                .orElse("none (trained from a fresh initialisation)"));
        boolean first = true;
        for (AdapterProvenance.DataFile file : p.data()) {
            row(out, first ? "data" : "", String.format("%-10s %s  %d examples  sha256 %s", file.role(), file.path(),
                    file.examples(), file.sha256()));
            first = false;
        }
        p.replay().ifPresent(r -> row(out, "replay", r.replayed() + " earlier examples mixed into " + r.newExamples()
                + " new (ratio " + number(r.ratio()) + ", seed " + r.seed() + ")"
                + (r.duplicates() > 0 ? "; " + r.duplicates() + " skipped as already in the new data" : "")));
        first = true;
        for (Map.Entry<String, Object> e : p.config().entrySet()) {
            row(out, first ? "config" : "", e.getKey() + ": " + e.getValue());
            first = false;
        }
        p.preference().ifPresent(pref -> {
            Map<String, Object> c = pref.config();
            row(out, "preference", pref.pairs() + " chosen/rejected pairs after the supervised run (" + c.get("stage") + ", "
                    + c.get("pref_loss") + ", beta " + c.get("pref_beta") + ", ftx " + c.get("pref_ftx") + ", "
                    + c.get("num_train_epochs") + (Integer.valueOf(1).equals(c.get("num_train_epochs")) ? " epoch" : " epochs")
                    + " at lr " + c.get("learning_rate") + ")");
        });
        return 0;
    }

    private static void row(PrintWriter out, String label, String value) {
        out.println(String.format("%-12s%s", label, value));
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value) : String.valueOf(value);
    }
}
