package io.kefu.notebook;

import java.util.List;

/**
 * Why a cell failed, already phrased for the reader. Jupyter shows the subclass's simple name as
 * the error name: {@code CompilationError}, {@code EvaluationError} (the user's code threw; the
 * traceback shows the user's frames only), {@code Interrupted} or {@code MagicError}.
 */
abstract class CellFailure extends Exception {
    private final List<String> traceback;

    private CellFailure(String message, List<String> traceback) {
        super(message, null, false, false);
        this.traceback = List.copyOf(traceback);
    }

    /** The lines shown to the reader. */
    List<String> traceback() {
        return traceback;
    }

    static final class CompilationError extends CellFailure {
        CompilationError(String message, List<String> traceback) {
            super(message, traceback);
        }
    }

    static final class EvaluationError extends CellFailure {
        EvaluationError(String message, List<String> traceback) {
            super(message, traceback);
        }
    }

    static final class Interrupted extends CellFailure {
        Interrupted() {
            super("the cell was interrupted", List.of("Interrupted: the cell was stopped at the user's request"));
        }
    }

    static final class MagicError extends CellFailure {
        MagicError(String message) {
            super(message, List.of("MagicError: " + message));
        }
    }
}
