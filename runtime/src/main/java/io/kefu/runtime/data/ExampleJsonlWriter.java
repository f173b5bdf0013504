package io.kefu.runtime.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatMessage;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.data.Example;
import io.kefu.runtime.format.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes examples as JSONL in the OpenAI {@code messages} shape, one per line:
 * {@code {"messages": [{"role", "content"}...], "intent", "strategy", "rejected", ...metadata}}
 * (absent labels are left out; a metadata field named like one of these four is overridden by it).
 * The file is written to a temp file beside the target and moved into place by {@link #commit()};
 * {@link #close()} without a commit deletes the temp file, so a failed run leaves nothing behind
 * and an existing target untouched.
 */
public final class ExampleJsonlWriter implements AutoCloseable {
    private static final ObjectMapper MAPPER = Json.keepingTargetOpen();

    private final Path target;
    private final Path temp;
    private final BufferedWriter out;
    private boolean committed;
    private boolean closed;

    private ExampleJsonlWriter(Path target) {
        this.target = target;
        this.temp = AtomicFiles.tempSibling(target);
        try {
            this.out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8);
        } catch (IOException e) {
            AtomicFiles.deleteQuietly(temp);
            throw new KefuException(ErrorCode.IO, target + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Starts writing {@code target} (nothing appears there before {@link #commit()}). */
    public static ExampleJsonlWriter create(Path target) {
        return new ExampleJsonlWriter(target);
    }

    /** Appends one example. */
    public void write(Example example) {
        try {
            MAPPER.writeValue(out, toJson(example));
            out.write('\n');
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, target + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** @return the JSON object written for {@code example} */
    public static ObjectNode toJson(Example example) {
        ObjectNode node = MAPPER.createObjectNode();
        for (Map.Entry<String, Object> field : example.metadata().entrySet()) {
            node.set(field.getKey(), MAPPER.valueToTree(field.getValue()));
        }
        var messages = node.putArray("messages");
        for (ChatMessage message : example.messages()) {
            messages.addObject().put("role", message.role().wireName()).put("content", message.content());
        }
        putIfPresent(node, "intent", example.intent());
        putIfPresent(node, "strategy", example.strategy());
        putIfPresent(node, "rejected", example.rejected());
        return node;
    }

    private static void putIfPresent(ObjectNode node, String key, String value) {
        if (value != null) {
            node.put(key, value);
        } else {
            node.remove(key);
        }
    }

    /** Finishes the file and moves it into place, replacing any earlier file. */
    public void commit() {
        try {
            out.close();
        } catch (IOException e) {
            close();
            throw new KefuException(ErrorCode.IO, target + ": cannot write: " + e.getMessage(), e);
        }
        AtomicFiles.moveIntoPlace(temp, target);
        committed = true;
        closed = true;
    }

    /** Abandons an uncommitted file: the temp file is deleted and the target left as it was. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException ignored) {
            // the file is being thrown away
        }
        if (!committed) {
            AtomicFiles.deleteQuietly(temp);
        }
    }
}
