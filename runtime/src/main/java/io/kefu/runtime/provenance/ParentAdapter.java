package io.kefu.runtime.provenance;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.train.LoraConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The adapter a LoRA run continues from: loaded, hashed, and checked to fit the run, so that the
 * run starts exactly where the adapter left off. It fits when it has the run's rank, alpha,
 * rsLoRA scaling and target modules (dropout may differ: it only acts while training), adapts
 * every target module of every layer, has tensor shapes that fit the base model, and was trained
 * on that base model: the same {@code base_model_name_or_path}, or a folder that is the same folder
 * as the run's. An adapter whose config names no base model is checked by shapes alone.
 *
 * @param directory the adapter folder
 * @param adapter its weights and config
 * @param sha256 its {@link Sha256#ofAdapter content hash}
 */
public record ParentAdapter(Path directory, PeftAdapter adapter, String sha256) {
    /**
     * @param directory the adapter folder
     * @param run the run's LoRA settings
     * @param baseModel the run's base model, as a hub id or folder
     * @param model the run's base model config
     * @throws KefuException {@link ErrorCode#INVALID_CONFIG} naming each difference when the adapter does not fit the run,
     *     or what {@link PeftAdapter#load(Path)} throws for a folder that is not an adapter
     */
    public static ParentAdapter load(Path directory, LoraConfig run, String baseModel, HfModelConfig model) {
        PeftAdapter adapter = PeftAdapter.load(directory);
        String sha256 = Sha256.ofAdapter(directory);
        List<String> differences = loraDifferences(adapter.config(), run);
        if (!differences.isEmpty()) {
            throw refuse(directory, String.join("; ", differences)
                    + ". Continue with the adapter's LoRA settings (leave the LoRA flags out), or train a new adapter");
        }
        if (!sameBaseModel(adapter.baseModel(), baseModel)) {
            throw refuse(directory, "it was trained on base model '" + adapter.baseModel() + "' (base_model_name_or_path in its "
                    + PeftAdapter.CONFIG_FILE + ") but this run trains '" + baseModel + "'");
        }
        try {
            adapter.validateAgainst(model);
        } catch (KefuException e) {
            throw refuse(directory, e.getMessage());
        }
        for (int layer = 0; layer < model.numHiddenLayers(); layer++) {
            for (String module : run.targets()) {
                if (!adapter.adapts(layer, module)) {
                    throw refuse(directory, "it does not adapt " + module + " of layer " + layer + ", which this run trains");
                }
            }
        }
        return new ParentAdapter(directory, adapter, sha256);
    }

    /** @return each setting that differs, named with both values */
    static List<String> loraDifferences(LoraConfig parent, LoraConfig run) {
        List<String> out = new ArrayList<>();
        if (parent.rank() != run.rank()) {
            out.add("its rank r=" + parent.rank() + " differs from this run's r=" + run.rank());
        }
        if (parent.alpha() != run.alpha()) {
            out.add("its lora_alpha=" + fmt(parent.alpha()) + " differs from this run's lora_alpha=" + fmt(run.alpha()));
        }
        if (parent.rsLora() != run.rsLora()) {
            out.add("its use_rslora=" + parent.rsLora() + " differs from this run's use_rslora=" + run.rsLora());
        }
        if (!new TreeSet<>(parent.targets()).equals(new TreeSet<>(run.targets()))) {
            out.add("its target_modules " + parent.targets() + " differ from this run's " + run.targets());
        }
        return out;
    }

    private static String fmt(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    /** @return whether the recorded base model is the run's: the same name, or the same folder under another path */
    static boolean sameBaseModel(String recorded, String run) {
        if (recorded.isEmpty() || recorded.equals(run)) {
            return true;
        }
        try {
            Path a = Path.of(recorded);
            Path b = Path.of(run);
            return Files.isDirectory(a) && Files.isDirectory(b) && Files.isSameFile(a, b);
        } catch (InvalidPathException | IOException e) {
            return false;
        }
    }

    private static KefuException refuse(Path directory, String why) {
        return new KefuException(ErrorCode.INVALID_CONFIG, "cannot continue from adapter " + directory + ": " + why);
    }
}
