package io.kefu.runtime.template;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.expression.ExpressionStrategy;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.mode.ExecutionMode;
import com.hubspot.jinjava.tree.output.RenderedOutputNode;
import com.hubspot.jinjava.tree.parse.ExpressionToken;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Jinjava engine configured to behave like the jinja2 environment of transformers'
 * {@code apply_chat_template}: {@code trim_blocks}, {@code lstrip_blocks}, loop controls,
 * {@code raise_exception}, {@code strftime_now}, a json.dumps-compatible {@code tojson}, Python
 * printing and string methods.
 *
 * <p>Nested interpretation is off: text produced by an expression (for example a customer
 * message containing <code>{{ 7 * 7 }}</code>) is output as it is, never rendered again.
 */
final class JinjaEnvironment {
    /** Context key of the clock for {@code strftime_now}; not a valid template identifier. */
    static final String CLOCK_KEY = "kefu.clock";

    private JinjaEnvironment() {
    }

    static Jinjava create() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethodResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                // jinja2's trim_blocks, lstrip_blocks and '-' markers are applied by TemplateSourceRewriter
                .withTrimBlocks(false)
                .withLstripBlocks(false)
                .withNestedInterpretationEnabled(false)
                .withElResolver(resolver)
                .withExecutionMode(new PythonExecutionMode())
                .withIterateOverMapKeys(true)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withAllowAdjacentTextNodes(true)
                        .withKeepNullableLoopValues(true)
                        .withIterateOverMapKeys(true)
                        .build())
                .build();
        Jinjava jinjava = new Jinjava(config);
        Context global = jinjava.getGlobalContext();
        global.registerFilter(new TrimFilter());
        global.registerFilter(new ToJsonFilter());
        global.registerFilter(new StringFilter());
        global.registerFilter(new ItemsFilter());
        global.registerExpTest(new IterableTest());
        global.registerFunction(new ELFunctionDefinition("", "raise_exception", JinjaEnvironment.class,
                "raiseException", Object.class));
        global.registerFunction(new ELFunctionDefinition("", "strftime_now", JinjaEnvironment.class,
                "strftimeNow", String.class));
        global.registerFunction(new ELFunctionDefinition("", TemplateSourceRewriter.SLICE_FUNCTION,
                PythonSlice.class, "function", Object.class, Object.class, Object.class));
        return jinjava;
    }

    /** {@code raise_exception(message)}: aborts rendering with the template's message. */
    public static Object raiseException(Object message) {
        throw new TemplateRaisedException(PythonValues.str(message));
    }

    /** {@code strftime_now(format)}: the current time of the render's clock, formatted as Python does. */
    public static String strftimeNow(String format) {
        Clock clock = (Clock) JinjavaInterpreter.getCurrent().getContext().get(CLOCK_KEY);
        return Strftime.format(ZonedDateTime.now(clock == null ? Clock.systemDefaultZone() : clock), format);
    }

    /** Thrown by {@code raise_exception}; carries the template's message. */
    static final class TemplateRaisedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TemplateRaisedException(String message) {
            super(message);
        }
    }

    /** Installs {@link PythonPrinting} in every render's context (Jinjava does not copy it from the global one). */
    private static final class PythonExecutionMode implements ExecutionMode {
        @Override
        public void prepareContext(Context context) {
            context.setExpressionStrategy(new PythonPrinting());
        }
    }

    /** Prints <code>{{ x }}</code> as jinja2 does, with Python's {@code str()}, and never renders the result again. */
    private static final class PythonPrinting implements ExpressionStrategy {
        private static final long serialVersionUID = 1L;

        @Override
        public RenderedOutputNode interpretOutput(ExpressionToken master, JinjavaInterpreter interpreter) {
            Object value = interpreter.resolveELExpression(master.getExpr(), master.getLineNumber());
            return new RenderedOutputNode(PythonValues.str(value));
        }
    }

    /** jinja2's {@code trim}: Python's {@code str.strip(chars)}, whose whitespace includes U+3000 and NBSP. */
    private static final class TrimFilter implements AdvancedFilter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object chars = args.length > 0 ? args[0] : kwargs.get("chars");
            return PythonStrings.strip(PythonValues.str(var), chars == null ? null : chars.toString(), true, true);
        }
    }

    /** transformers' {@code tojson}: {@code json.dumps(x, ensure_ascii=False, indent=..., sort_keys=...)}. */
    private static final class ToJsonFilter implements AdvancedFilter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 1 ? args[1] : null;
            Object ensureAscii = kwargs.containsKey("ensure_ascii") ? kwargs.get("ensure_ascii") : args.length > 0 ? args[0] : null;
            boolean sortKeys = Boolean.TRUE.equals(kwargs.get("sort_keys"));
            String json = PythonJson.dumps(var, indent == null ? null : ((Number) indent).intValue(), sortKeys);
            return Boolean.TRUE.equals(ensureAscii) ? escapeNonAscii(json) : json;
        }

        private static String escapeNonAscii(String json) {
            StringBuilder out = new StringBuilder(json.length());
            for (char c : json.toCharArray()) {
                out.append(c < 0x80 ? String.valueOf(c) : String.format("\\u%04x", (int) c));
            }
            return out.toString();
        }
    }

    /** jinja2's {@code string}: Python's {@code str()}. */
    private static final class StringFilter implements AdvancedFilter {
        @Override
        public String getName() {
            return "string";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            return var == null ? "None" : PythonValues.str(var);
        }
    }

    /** jinja2's {@code items}: the (key, value) pairs of a mapping. */
    private static final class ItemsFilter implements AdvancedFilter {
        @Override
        public String getName() {
            return "items";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            List<Object> pairs = new ArrayList<>();
            if (var instanceof Map<?, ?> map) {
                map.forEach((k, v) -> pairs.add(new ArrayList<>(java.util.Arrays.asList(k, v))));
            }
            return pairs;
        }
    }

    /** jinja2's {@code iterable}: strings, sequences and mappings are iterable. */
    private static final class IterableTest implements ExpTest {
        @Override
        public String getName() {
            return "iterable";
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return var instanceof CharSequence || var instanceof Iterable<?> || var instanceof Map<?, ?>
                    || (var != null && var.getClass().isArray());
        }
    }
}
