package io.kefu.runtime.data;

import io.kefu.KefuException;
import io.kefu.data.Example;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads a whole data file into a {@link ListDataset}, or fails with every problem located. */
public final class DatasetLoader {
    /** How many problems an exception message lists before saying how many more there are. */
    public static final int LISTED_PROBLEMS = 20;

    private static final Logger LOG = LoggerFactory.getLogger(DatasetLoader.class);

    private DatasetLoader() {
    }

    /** Loads with {@link ValidationOptions#defaults()}. */
    public static ListDataset load(Path file) {
        return load(file, ValidationOptions.defaults());
    }

    /**
     * @return the valid examples, in file order
     * @throws KefuException {@link io.kefu.ErrorCode#INVALID_DATA} listing the problems as
     *     {@code file:line: field: reason} (the first {@value #LISTED_PROBLEMS}, then how many more),
     *     {@link io.kefu.ErrorCode#NOT_FOUND} or {@link io.kefu.ErrorCode#IO} if the file cannot be read
     */
    public static ListDataset load(Path file, ValidationOptions options) {
        List<Example> examples = new ArrayList<>();
        ValidationReport report = new DatasetValidator(options).validate(file, examples::add);
        if (!report.ok()) {
            throw report.toException(LISTED_PROBLEMS);
        }
        if (report.noticeCount() > 0) {
            LOG.warn("{}: {} examples dropped, {} to be truncated (first: {})", file, report.dropped(),
                    report.truncated(), report.notices().get(0).format());
        }
        return ListDataset.of(examples);
    }
}
