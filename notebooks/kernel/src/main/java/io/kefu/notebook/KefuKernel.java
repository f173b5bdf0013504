package io.kefu.notebook;

import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.magic.LineMagicParseContext;
import io.github.spencerpark.jupyter.kernel.magic.MagicParser;
import io.github.spencerpark.jupyter.kernel.magic.registry.Magics;
import io.github.spencerpark.jupyter.kernel.magic.registry.UndefinedMagicException;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jdk.jshell.SourceCodeAnalysis.Completeness;

/**
 * The Java kernel: JShell cells, rich display, completion, inspection, interrupt and the
 * classpath magics ({@code %classpath}, {@code %jars}, {@code %maven}, {@code %kefu}).
 * Magic lines run before the rest of their cell.
 */
public final class KefuKernel extends BaseKernel {
    private final CellEvaluator evaluator = new CellEvaluator();
    private final Magics magics = new Magics();
    private final MagicParser magicParser = new MagicParser();
    private final LanguageInfo languageInfo = new LanguageInfo.Builder("java")
            .version(Runtime.version().toString())
            .mimetype("text/x-java-source")
            .fileExtension(".jshell")
            .pygments("java")
            .codemirror("text/x-java")
            .build();

    public KefuKernel() {
        new KernelMagics(path -> evaluator.addToClasspath(path.toString()), () -> System.out,
                MavenResolver.fromSystemProperties()).registerWith(magics);
        Display.setSink(new Display.Sink() {
            @Override
            public void show(Object value, String displayId) {
                DisplayData data = Rendering.render(value);
                if (displayId != null) {
                    data = new DisplayData(data);
                    data.setDisplayId(displayId);
                }
                display(data);
            }

            @Override
            public void update(String displayId, Object value) {
                getIO().display.updateDisplay(displayId, Rendering.render(value));
            }
        });
    }

    @Override
    public LanguageInfo getLanguageInfo() {
        return languageInfo;
    }

    @Override
    public String getBanner() {
        return "Java " + Runtime.version() + " (Kefu kernel)";
    }

    @Override
    public DisplayData eval(String code) throws Exception {
        String java = runMagics(code);
        Object value = evaluator.eval(java);
        if (value == CellEvaluator.NO_VALUE) {
            return null;
        }
        return Rendering.render(value);
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        CellEvaluator.Completions completions = evaluator.complete(blankMagicLines(code), at);
        if (completions.candidates().isEmpty()) {
            return null;
        }
        return new ReplacementOptions(completions.candidates(), completions.start(), completions.end());
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        Optional<String> doc = evaluator.inspect(blankMagicLines(code), at);
        return doc.map(DisplayData::new).orElse(null);
    }

    @Override
    public String isComplete(String code) {
        Completeness completeness = evaluator.completeness(blankMagicLines(code));
        return switch (completeness) {
            case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> "    ";
            case UNKNOWN -> IS_COMPLETE_BAD;
            default -> IS_COMPLETE_YES;
        };
    }

    @Override
    public void interrupt() {
        evaluator.stop();
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        evaluator.close();
    }

    @Override
    public List<String> formatError(Exception e) {
        if (e instanceof CellFailure failure) {
            List<String> lines = new ArrayList<>(failure.traceback());
            if (!lines.isEmpty()) {
                lines.set(0, errorStyler.primary(lines.get(0)));
            }
            return lines;
        }
        return super.formatError(e);
    }

    /** Runs the cell's magic lines and returns the cell with those lines blanked (line numbers kept). */
    private String runMagics(String code) throws CellFailure {
        List<CellFailure> failures = new ArrayList<>();
        String java = magicParser.transformLineMagics(code, context -> {
            if (failures.isEmpty()) {
                try {
                    magics.applyLineMagic(context.getMagicCall().getName(), context.getMagicCall().getArgs());
                } catch (Exception e) {
                    failures.add(magicFailure(context, e));
                }
            }
            return "";
        });
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return java;
    }

    private String blankMagicLines(String code) {
        return magicParser.transformLineMagics(code, context -> " ".repeat(context.getRaw().length()));
    }

    private static CellFailure magicFailure(LineMagicParseContext context, Exception e) {
        Throwable cause = e instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
        String name = context.getMagicCall().getName();
        String message = cause instanceof UndefinedMagicException
                ? "unknown magic %" + name + " (known: %classpath, %jars, %maven, %kefu)"
                : "%" + name + " failed: " + (cause.getMessage() == null ? cause.toString() : cause.getMessage());
        return new CellFailure.MagicError(message);
    }
}
