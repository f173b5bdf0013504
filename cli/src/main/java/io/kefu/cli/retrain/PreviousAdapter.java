package io.kefu.cli.retrain;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.provenance.AdapterProvenance;
import io.kefu.runtime.provenance.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Last month's adapter as {@code kefu retrain} continues it: the base model and the data it was
 * trained on (its own training file and what that run replayed), read from its provenance record,
 * each data file checked to be the one the record hashed.
 *
 * @param directory the adapter folder
 * @param provenance its provenance record
 * @param baseModel the base model it was trained on
 * @param oldData the data files it learnt from, in record order
 * @param test the held-out file its own gate used, if it was made by {@code kefu retrain}
 */
record PreviousAdapter(Path directory, AdapterProvenance provenance, String baseModel, List<Path> oldData, Optional<Path> test) {
    /** The provenance role of the held-out file a candidate was gated on. */
    static final String TEST_ROLE = "test";

    /**
     * @param directory the adapter folder
     * @param oldData the {@code --old-data} files, or empty to take them from the record
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} or {@link ErrorCode#INVALID_CHECKPOINT} saying what is
     *     missing or changed and which option supplies it
     */
    static PreviousAdapter read(Path directory, List<Path> oldData) {
        if (!Files.isRegularFile(directory.resolve("adapter_config.json"))) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--previous " + directory
                    + ": not an adapter folder (no adapter_config.json); give the adapter/ folder of last month's run");
        }
        AdapterProvenance record = AdapterProvenance.read(directory).orElseThrow(() -> new KefuException(ErrorCode.INVALID_ARGUMENT,
                "--previous " + directory + " has no " + AdapterProvenance.FILE_NAME + " (it was not trained by kefu train or"
                        + " kefu retrain), so its base model and earlier data are unknown"));
        if ("full".equals(record.config().get("finetuning_type"))) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--previous " + directory + " is a full fine-tune; kefu retrain continues"
                    + " LoRA adapters");
        }
        List<Path> old = new ArrayList<>(oldData);
        Optional<Path> test = Optional.empty();
        for (AdapterProvenance.DataFile file : record.data()) {
            if (file.role().equals(TEST_ROLE)) {
                test = Optional.of(Path.of(file.path()));
            } else if (oldData.isEmpty() && (file.role().equals("train") || file.role().equals("replay"))) {
                old.add(checked(directory, file));
            }
        }
        if (old.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, directory.resolve(AdapterProvenance.FILE_NAME)
                    + " names no training data; give --old-data FILE (the data last month's adapter was trained on)");
        }
        return new PreviousAdapter(directory, record, record.baseModel(), List.copyOf(old), test);
    }

    /** The recorded file, when it is still there with the recorded bytes. */
    private static Path checked(Path directory, AdapterProvenance.DataFile file) {
        Path path = Path.of(file.path());
        String where = directory.resolve(AdapterProvenance.FILE_NAME) + " names " + file.role() + " data " + path;
        if (!Files.isRegularFile(path)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, where + ", which does not exist (paths are relative to the folder"
                    + " the run started in); give --old-data FILE");
        }
        if (!Sha256.ofFile(path).equals(file.sha256())) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, where + ", which has changed since (SHA-256 " + file.sha256()
                    + " recorded); give --old-data FILE to use it as it is now");
        }
        return path;
    }
}
