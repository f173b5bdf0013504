package io.kefu.cli.eval;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * One system to evaluate, as written on the command line: {@code NAME=ENGINE:MODEL[:ADAPTER]}, e.g.
 * {@code remote=remote:http://127.0.0.1:8000/v1} or {@code tuned=djl:models/qwen:out/shop-lora}.
 *
 * <p>The engine ends at the first ':'. The adapter follows the last ':' unless that ':' belongs to a
 * URL in the model (the {@code ://} after a scheme, or a {@code :PORT} after a host).
 *
 * @param name the system's name in the report (letters, digits, '.', '_', '-')
 * @param engine the engine id
 * @param model the base model: a folder, a hub id or an endpoint URL
 * @param adapter the PEFT adapter folder, or null for none
 */
public record SystemSpec(String name, String engine, String model, Path adapter) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern PORT_AND_PATH = Pattern.compile("\\d+(/.*)?");
    private static final String SYSTEM_FORM = "NAME=ENGINE:MODEL[:ADAPTER], e.g. remote=remote:http://127.0.0.1:8000/v1";

    /**
     * @param option the value of one {@code --system}
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} naming the part that is missing or wrong
     */
    static SystemSpec parse(String option) {
        int equals = option.indexOf('=');
        if (equals < 0) {
            throw invalid("--system '" + option + "'", "has no '='", SYSTEM_FORM);
        }
        String name = option.substring(0, equals).strip();
        if (!NAME.matcher(name).matches()) {
            throw invalid("--system '" + option + "'", "NAME '" + name + "' must be 1-64 letters, digits, '.', '_' or '-'", SYSTEM_FORM);
        }
        return parse(name, option.substring(equals + 1), "--system '" + option + "'", SYSTEM_FORM);
    }

    /**
     * Reads an {@code ENGINE:MODEL[:ADAPTER]} option, the system named after the option.
     *
     * @param option the option's name, e.g. {@code --reference}
     * @param value its value
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} naming the part that is missing or wrong
     */
    public static SystemSpec parseUnnamed(String option, String value) {
        return parse(option.replaceFirst("^-+", ""), value, option + " '" + value + "'",
                "ENGINE:MODEL[:ADAPTER], e.g. djl:models/qwen:out/shop-lora or onnx:out/shop-onnx");
    }

    private static SystemSpec parse(String name, String value, String what, String form) {
        String rest = value.strip();
        int colon = rest.indexOf(':');
        if (colon <= 0) {
            throw invalid(what, "needs ENGINE:MODEL", form);
        }
        String engine = rest.substring(0, colon);
        String model = rest.substring(colon + 1);
        Path adapter = null;
        int last = model.lastIndexOf(':');
        if (last > 0 && !model.startsWith("//", last + 1) && !PORT_AND_PATH.matcher(model.substring(last + 1)).matches()) {
            String adapterText = model.substring(last + 1);
            model = model.substring(0, last);
            if (adapterText.isBlank()) {
                throw invalid(what, "has an empty ADAPTER after the last ':'", form);
            }
            adapter = Path.of(adapterText);
        }
        if (model.isBlank()) {
            throw invalid(what, "has an empty MODEL", form);
        }
        return new SystemSpec(name, engine, model, adapter);
    }

    private static KefuException invalid(String what, String why, String form) {
        return new KefuException(ErrorCode.INVALID_ARGUMENT, what + " " + why + "; write " + form);
    }
}
