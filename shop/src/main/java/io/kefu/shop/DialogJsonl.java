package io.kefu.shop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.data.Provenance;
import io.kefu.runtime.format.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes {@link ShopDialog}s as Alpaca JSONL: one object per line with the keys, in this
 * order, {@code system, instruction, input, output, intent, strategy}, then {@code rejected} (only
 * when present), {@code id}, and {@code provenance} ({@code {method, source, detail}}, only when
 * present). UTF-8 without escaping Chinese, {@code \n} line ends, so the same dialogs always give
 * the same bytes.
 */
public final class DialogJsonl {
    private static final ObjectMapper MAPPER = Json.mapper();

    private DialogJsonl() {
    }

    /** @return one dialog as a JSON line (no line end) */
    public static String toJson(ShopDialog d) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("system", d.system());
        node.put("instruction", d.instruction());
        node.put("input", d.input());
        node.put("output", d.output());
        if (d.intent() != null) {
            node.put("intent", d.intent());
        }
        if (d.strategy() != null) {
            node.put("strategy", d.strategy());
        }
        if (d.rejected() != null) {
            node.put("rejected", d.rejected());
        }
        node.put("id", d.id());
        if (d.provenance() != null) {
            ObjectNode p = node.putObject("provenance");
            p.put("method", d.provenance().method());
            p.put("source", d.provenance().source());
            p.put("detail", d.provenance().detail());
        }
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new KefuException(ErrorCode.INTERNAL, "cannot serialise dialog " + d.id() + ": " + e.getMessage(), e);
        }
    }

    /** Writes dialogs to {@code file} atomically (a temp file in the same folder, then a move). */
    public static void write(List<ShopDialog> dialogs, Path file) {
        StringBuilder text = new StringBuilder();
        for (ShopDialog d : dialogs) {
            text.append(toJson(d)).append('\n');
        }
        AtomicFiles.writeString(file, text.toString());
    }

    /**
     * Reads Alpaca JSONL (blank lines skipped). {@code instruction} and {@code output} are required
     * non-empty strings; {@code system}, {@code input}, {@code intent}, {@code strategy},
     * {@code rejected} and {@code id} are optional strings (a missing id becomes {@code <file name>:<line>}).
     *
     * @throws KefuException {@link ErrorCode#INVALID_DATA} naming file:line and field
     */
    public static List<ShopDialog> read(Path file) {
        List<ShopDialog> out = new ArrayList<>();
        String name = file.toString();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)))) {
            String line;
            long number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (number == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                out.add(parse(line, name, number, file.getFileName() + ":" + number));
            }
        } catch (NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, name + ": file not found");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new KefuException(ErrorCode.INVALID_DATA, name + ": not valid UTF-8 (line " + (out.size() + 1) + " or near it)", e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, name + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }

    private static ShopDialog parse(String line, String file, long number, String defaultId) {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new KefuException(ErrorCode.INVALID_DATA, file + ":" + number + ": invalid JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new KefuException(ErrorCode.INVALID_DATA, file + ":" + number + ": expected a JSON object per line");
        }
        String instruction = text(node, "instruction", true, file, number);
        String output = text(node, "output", true, file, number);
        String system = text(node, "system", false, file, number);
        String input = text(node, "input", false, file, number);
        String id = text(node, "id", false, file, number);
        Provenance provenance = null;
        JsonNode p = node.get("provenance");
        if (p != null && p.isObject()) {
            provenance = new Provenance(p.path("method").asText("file"), p.path("source").asText(""), 0, p.path("detail").asText(""));
        }
        return new ShopDialog(id == null ? defaultId : id, system == null ? "" : system, instruction,
                input == null ? "" : input, output, text(node, "intent", false, file, number),
                text(node, "strategy", false, file, number), text(node, "rejected", false, file, number), provenance);
    }

    private static String text(JsonNode node, String field, boolean required, String file, long number) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new KefuException(ErrorCode.INVALID_DATA, file + ":" + number + " " + field + ": missing required field");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new KefuException(ErrorCode.INVALID_DATA, file + ":" + number + " " + field + ": expected a string, got "
                    + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (required && value.asText().isBlank()) {
            throw new KefuException(ErrorCode.INVALID_DATA, file + ":" + number + " " + field + ": must not be empty");
        }
        return value.asText();
    }
}
