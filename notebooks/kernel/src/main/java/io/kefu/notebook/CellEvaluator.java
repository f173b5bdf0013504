package io.kefu.notebook;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;

/**
 * Evaluates notebook cells with JShell in this JVM: splits a cell into snippets, runs them in
 * order, and returns the value of a trailing expression. Failures come back as
 * {@link CellFailure}s that point at cell lines and show only the user's stack frames.
 */
final class CellEvaluator implements AutoCloseable {
    /** The value of a cell that ends with a statement or declaration rather than an expression. */
    static final Object NO_VALUE = new Object();

    private static final List<String> DEFAULT_IMPORTS = List.of(
            "java.io.*", "java.math.*", "java.net.*", "java.nio.file.*", "java.util.*",
            "java.util.concurrent.*", "java.util.function.*", "java.util.regex.*", "java.util.stream.*");

    private final CapturingExecutionControl control = new CapturingExecutionControl();
    private final JShell shell;
    private final SourceCodeAnalysis analysis;
    /** Where each snippet came from, for stack traces: snippet id to its cell and first line. */
    private final Map<String, SnippetOrigin> origins = new HashMap<>();
    private int cellNumber;

    private record SnippetOrigin(int cell, int firstLine) {}

    /** One snippet of a cell: its source and where it starts in the cell. */
    record Piece(String source, int start, int end, Completeness completeness) {}

    CellEvaluator() {
        shell = JShell.builder()
                .executionEngine(new CapturingExecutionProvider(control), Map.of())
                .build();
        analysis = shell.sourceCodeAnalysis();
        for (String pkg : DEFAULT_IMPORTS) {
            shell.eval("import " + pkg + ";");
        }
        shell.eval("import static " + Display.class.getName() + ".*;");
    }

    /** Adds a jar or class folder to the classpath of later cells. */
    void addToClasspath(String path) {
        shell.addToClasspath(path);
    }

    /**
     * Runs a cell. Returns the value of its last snippet if that is an expression (possibly
     * {@code null}), else {@link #NO_VALUE}.
     */
    Object eval(String cell) throws CellFailure {
        cellNumber++;
        control.clearResults();
        Object last = NO_VALUE;
        for (Piece piece : split(cell)) {
            int firstLine = lineOf(cell, piece.start());
            last = NO_VALUE;
            for (SnippetEvent event : shell.eval(piece.source())) {
                if (event.causeSnippet() != null) {
                    continue; // a dependent snippet was updated; not what the user wrote here
                }
                Snippet snippet = event.snippet();
                origins.put(snippet.id(), new SnippetOrigin(cellNumber, firstLine));
                if (control.wasStopped()) {
                    throw new CellFailure.Interrupted();
                }
                if (event.status() == Snippet.Status.REJECTED) {
                    throw compileFailure(snippet, firstLine);
                }
                if (event.exception() != null) {
                    throw userFailure(event.exception());
                }
                if (isExpression(snippet)) {
                    last = control.takeResult(event.value());
                } else if (CapturingExecutionControl.isResultKey(event.value())) {
                    control.takeResult(event.value());
                }
            }
        }
        return last;
    }

    /** Splits a cell into JShell snippets, each with its offsets in the cell. */
    List<Piece> split(String cell) {
        List<Piece> pieces = new ArrayList<>();
        String remaining = cell;
        while (!remaining.isBlank()) {
            int start = cell.length() - remaining.length();
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (info.completeness() == Completeness.EMPTY) {
                break;
            }
            boolean complete = info.completeness().isComplete();
            String source = complete ? info.source() : remaining;
            String rest = complete ? info.remaining() : "";
            int end = cell.length() - rest.length();
            start += leadingWhitespace(remaining);
            // leading blank lines would shift JShell's line numbers away from the cell's
            pieces.add(new Piece(source.stripLeading(), start, end, info.completeness()));
            remaining = rest;
        }
        return pieces;
    }

    /** Completion candidates for the cursor at {@code cursor} (offset in the cell). */
    Completions complete(String cell, int cursor) {
        Piece piece = pieceAt(cell, cursor);
        if (piece == null) {
            return new Completions(List.of(), cursor, cursor);
        }
        String text = cell.substring(piece.start(), Math.max(piece.start(), Math.min(cursor, cell.length())));
        int[] anchor = new int[1];
        List<String> candidates = analysis.completionSuggestions(text, text.length(), anchor).stream()
                .map(SourceCodeAnalysis.Suggestion::continuation)
                .distinct()
                .toList();
        return new Completions(candidates, piece.start() + anchor[0], cursor);
    }

    /** Completion candidates and the cell range they replace. */
    record Completions(List<String> candidates, int start, int end) {}

    /** Signatures and javadoc of what is at the cursor, if anything. */
    Optional<String> inspect(String cell, int cursor) {
        Piece piece = pieceAt(cell, cursor);
        if (piece == null) {
            return Optional.empty();
        }
        String text = cell.substring(piece.start(), piece.end());
        int relative = Math.max(0, Math.min(cursor - piece.start(), text.length()));
        // documentation() wants the cursor just after an identifier or inside the argument list
        while (relative < text.length() && Character.isJavaIdentifierPart(text.charAt(relative))) {
            relative++;
        }
        List<SourceCodeAnalysis.Documentation> docs = analysis.documentation(text, relative, true);
        if (docs.isEmpty()) {
            // a method name without its argument list yet: ask as if the '(' were typed
            docs = analysis.documentation(text.substring(0, relative) + "(", relative + 1, true);
        }
        if (docs.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder out = new StringBuilder();
        for (SourceCodeAnalysis.Documentation doc : docs) {
            if (out.length() > 0) {
                out.append("\n\n");
            }
            out.append(doc.signature());
            if (doc.javadoc() != null && !doc.javadoc().isBlank()) {
                out.append('\n').append(doc.javadoc().strip());
            }
        }
        return Optional.of(out.toString());
    }

    /** Whether the cell is complete Java, and if not, whether more lines could complete it. */
    Completeness completeness(String cell) {
        Completeness last = Completeness.EMPTY;
        for (Piece piece : split(cell)) {
            last = piece.completeness();
        }
        return last;
    }

    /** Stops the running cell, if any. */
    void stop() {
        control.stop();
    }

    @Override
    public void close() {
        shell.close();
    }

    private Piece pieceAt(String cell, int cursor) {
        Piece found = null;
        for (Piece piece : split(cell)) {
            if (piece.start() <= cursor) {
                found = piece;
            }
        }
        return found;
    }

    private static boolean isExpression(Snippet snippet) {
        if (snippet instanceof ExpressionSnippet) {
            return true;
        }
        return snippet instanceof VarSnippet
                && snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
    }

    private CellFailure compileFailure(Snippet snippet, int firstLine) {
        List<String> lines = new ArrayList<>();
        String source = snippet.source();
        String summary = null;
        for (Diag diag : shell.diagnostics(snippet).toList()) {
            if (!diag.isError()) {
                continue;
            }
            int position = (int) Math.max(0, Math.min(diag.getStartPosition(), source.length()));
            int lineStart = source.lastIndexOf('\n', position - 1) + 1;
            int lineEnd = source.indexOf('\n', position);
            String sourceLine = source.substring(lineStart, lineEnd < 0 ? source.length() : lineEnd);
            int cellLine = firstLine + lineOf(source, position) - 1;
            String message = diag.getMessage(Locale.ROOT);
            if (summary == null) {
                summary = "line " + cellLine + ": " + message.lines().findFirst().orElse(message);
            }
            lines.add("Compilation error at cell line " + cellLine + ": " + message);
            lines.add("    " + sourceLine);
            lines.add("    " + " ".repeat(position - lineStart) + "^");
        }
        if (summary == null) {
            summary = "the snippet at cell line " + firstLine + " was rejected";
            lines.add(summary);
        }
        return new CellFailure.CompilationError(summary, lines);
    }

    private CellFailure userFailure(JShellException exception) {
        if (exception instanceof UnresolvedReferenceException unresolved) {
            Snippet snippet = unresolved.getSnippet();
            String message = "'" + describe(snippet) + "' uses something not yet defined: "
                    + String.join(", ", shell.unresolvedDependencies((jdk.jshell.DeclarationSnippet) snippet).toList());
            return new CellFailure.EvaluationError(message, List.of("UnresolvedReference: " + message));
        }
        List<String> lines = new ArrayList<>();
        String name = exception instanceof EvalException e ? e.getExceptionClassName() : exception.getClass().getName();
        String message = exception.getMessage();
        Throwable current = exception;
        boolean first = true;
        while (current != null) {
            String className = current instanceof EvalException e ? e.getExceptionClassName() : current.getClass().getName();
            String header = className + (current.getMessage() == null ? "" : ": " + current.getMessage());
            lines.add(first ? header : "Caused by: " + header);
            lines.addAll(userFrames(current.getStackTrace()));
            current = current.getCause();
            first = false;
        }
        return new CellFailure.EvaluationError(message == null ? name : name + ": " + message, lines);
    }

    /** The frames up to the outermost snippet frame, with snippet frames named by cell line. */
    private List<String> userFrames(StackTraceElement[] stack) {
        int lastSnippetFrame = -1;
        for (int i = 0; i < stack.length; i++) {
            if (isSnippetFrame(stack[i])) {
                lastSnippetFrame = i;
            }
        }
        int end = lastSnippetFrame >= 0 ? lastSnippetFrame + 1 : stack.length;
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < end; i++) {
            StackTraceElement frame = stack[i];
            if (lastSnippetFrame < 0 && isKernelFrame(frame)) {
                break;
            }
            frames.add("    at " + (isSnippetFrame(frame) ? snippetFrame(frame) : frame.toString()));
        }
        return frames;
    }

    private String snippetFrame(StackTraceElement frame) {
        String id = frame.getFileName().substring(1);
        SnippetOrigin origin = origins.get(id);
        String where;
        if (origin == null) {
            where = "snippet " + id + " line " + frame.getLineNumber();
        } else {
            int line = origin.firstLine() + Math.max(frame.getLineNumber(), 1) - 1;
            where = origin.cell() == cellNumber ? "cell line " + line : "cell #" + origin.cell() + " line " + line;
        }
        String method = frame.getMethodName();
        return method.isEmpty() || method.startsWith("do_it$") ? where : frame.getMethodName() + " (" + where + ")";
    }

    private static boolean isSnippetFrame(StackTraceElement frame) {
        return frame.getFileName() != null && frame.getFileName().startsWith("#");
    }

    private static boolean isKernelFrame(StackTraceElement frame) {
        String cls = frame.getClassName();
        return cls.startsWith("jdk.jshell.") || cls.startsWith("io.kefu.notebook.")
                || cls.startsWith("jdk.internal.reflect.") || cls.startsWith("java.lang.reflect.");
    }

    private static String describe(Snippet snippet) {
        String source = snippet.source().strip();
        return source.length() > 60 ? source.substring(0, 57) + "..." : source;
    }

    private static int leadingWhitespace(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** 1-based line number of an offset. */
    static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < Math.min(offset, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
