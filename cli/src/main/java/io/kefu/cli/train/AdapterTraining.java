package io.kefu.cli.train;

import io.kefu.data.Dataset;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.ModelRef;
import io.kefu.runtime.data.ReplayMix;
import io.kefu.runtime.format.StagedFolder;
import io.kefu.runtime.provenance.AdapterProvenance;
import io.kefu.runtime.provenance.Sha256;
import io.kefu.train.Adapter;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingEvent;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One training run as {@code kefu train} and {@code kefu retrain} do it: load the base model, fit with
 * progress on the console (checkpoints in the config's checkpoint folder), and write the result with its
 * provenance, a LoRA adapter folder replaced only once it is complete.
 */
public final class AdapterTraining {
    private AdapterTraining() {
    }

    /** @return the parent record of a run that starts from the config's adapter, if it does */
    public static Optional<AdapterProvenance.Parent> parentOf(TrainingConfig config) {
        return config.initAdapter().map(dir -> new AdapterProvenance.Parent(dir.toString(), Sha256.ofAdapter(dir)));
    }

    /**
     * @param engine the engine that loads the base model and trains
     * @param modelName the base model (folder or hub id)
     * @param config the training settings
     * @param train the training examples
     * @param validation validation examples, or null
     * @param provenance written beside the result
     * @param result the folder the adapter (or, for a full fine-tune, the model) is written to
     * @param console where progress and the result's path are printed
     * @param interactive whether to draw progress bars
     * @return the preference margins before and after, for a preference run ({@code TrainingMethod.DPO}); empty otherwise
     */
    public static Optional<TrainingEvent.PreferenceMargin> run(Engine engine, String modelName, TrainingConfig config, Dataset train, Dataset validation,
                           AdapterProvenance provenance, Path result, PrintWriter console, boolean interactive) {
        try (BaseModel base = engine.load(ModelRef.of(modelName));
             TrainingProgress progress = new TrainingProgress(console, console, interactive, true)) {
            Adapter adapter = engine.trainer(config).fit(base, train, validation, progress);
            if (config.isFullFineTune()) {
                base.save(result);
                provenance.writeTo(result);
            } else {
                StagedFolder.replace(result, dir -> {
                    adapter.save(dir);
                    provenance.writeTo(dir);
                });
            }
            console.println("wrote " + result);
            return Optional.ofNullable(progress.margin());
        }
    }

    /** @return one line saying how many earlier records were mixed into how many new ones, and why fewer when so */
    public static String describe(ReplayMix.Result mix, int fresh, double ratio, Path replayFile) {
        String line = "replay: " + mix.replayed() + " records of " + replayFile + " mixed into " + fresh + " new (ratio " + ratio + ")";
        if (mix.duplicates() > 0) {
            line += "; " + mix.duplicates() + " left out as already in the new data";
        }
        if (mix.replayed() < mix.wanted()) {
            line += "; the ratio asks for " + mix.wanted() + " but the file has no more records that are not in the new data";
        }
        return line;
    }
}
