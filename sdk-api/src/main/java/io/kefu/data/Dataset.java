package io.kefu.data;

import io.kefu.spi.CoreServices;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * An immutable, ordered collection of {@link Example}s.
 *
 * <p>{@link #load(Path)} reads JSON or JSONL in any supported record shape and validates it:
 * problems throw a {@link io.kefu.KefuException} with {@link io.kefu.ErrorCode#INVALID_DATA}
 * whose message lists each problem as {@code file:line: field: reason}.
 */
public interface Dataset extends Iterable<Example> {
    /** @return the examples, in order */
    List<Example> examples();

    /** @return the number of examples */
    default int size() {
        return examples().size();
    }

    @Override
    default Iterator<Example> iterator() {
        return examples().iterator();
    }

    /** @return a copy in seeded random order; the same seed gives the same order */
    Dataset shuffle(long seed);

    /**
     * Splits after a seeded shuffle. When examples carry an {@code intent}, the split is
     * stratified: each intent is divided in the same proportion.
     *
     * @param trainFraction share of examples for training, in (0, 1)
     * @param seed shuffle seed
     */
    Split split(double trainFraction, long seed);

    /** @return a dataset of these examples */
    static Dataset of(List<Example> examples) {
        return CoreServices.get().dataset(examples);
    }

    /**
     * Loads and validates a JSON array or JSONL file with default options (no tokenizer-based
     * length checks; duplicates are errors).
     *
     * @throws io.kefu.KefuException with {@link io.kefu.ErrorCode#INVALID_DATA} listing every problem
     */
    static Dataset load(Path file) {
        return CoreServices.get().loadDataset(file);
    }
}
