package io.kefu.engine.djl.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code metrics.jsonl}: one JSON object per line, {@code {"type":"step",...}} per logged step and
 * {@code {"type":"epoch",...}} per epoch. On resume the lines after the checkpoint's step are dropped,
 * so the file reads as if the run had never stopped.
 */
final class MetricsLog {
    static final String FILE = "metrics.jsonl";
    private static final ObjectMapper JSON = Json.mapper();

    private final Path file;

    MetricsLog(Path directory) {
        this.file = directory.resolve(FILE);
    }

    Path file() {
        return file;
    }

    /** Keeps the lines of steps up to {@code step} (all lines when the file is new). */
    void truncateAfter(long step) {
        if (!Files.exists(file)) {
            return;
        }
        List<String> kept = new ArrayList<>();
        for (String line : lines()) {
            try {
                JsonNode node = JSON.readTree(line);
                if (node.path("step").asLong() <= step) {
                    kept.add(line);
                }
            } catch (IOException e) {
                break; // a line cut by a crash: drop it and everything after
            }
        }
        AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
    }

    void step(long step, int epoch, double loss, double lr, double gradNorm, double tokensPerSecond) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "step").put("step", step).put("epoch", epoch).put("loss", loss).put("learning_rate", lr)
                .put("grad_norm", gradNorm).put("tokens_per_second", tokensPerSecond);
        append(n);
    }

    void epoch(long step, int epoch, double trainLoss, double validationLoss) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "epoch").put("step", step).put("epoch", epoch).put("train_loss", trainLoss);
        if (Double.isNaN(validationLoss)) {
            n.putNull("validation_loss");
        } else {
            n.put("validation_loss", validationLoss);
        }
        append(n);
    }

    private void append(ObjectNode node) {
        try {
            Files.createDirectories(file.getParent());
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND)) {
                w.write(JSON.writeValueAsString(node));
                w.write('\n');
            }
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot append metrics: " + e.getMessage(), e);
        }
    }

    /** @return every line */
    List<String> lines() {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
