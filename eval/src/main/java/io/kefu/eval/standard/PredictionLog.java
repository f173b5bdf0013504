package io.kefu.eval.standard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The predictions JSONL of a run: one {@link Prediction} per line, appended and flushed as each
 * batch finishes. On open, the lines already there are read back; a last line cut short by a
 * crash is dropped (the file is truncated to the last complete line), so a resumed run continues
 * exactly where the previous one stopped.
 */
final class PredictionLog implements AutoCloseable {
    private static final ObjectMapper JSON = Json.mapper();

    private final Path file;
    private final List<Prediction> existing;
    private BufferedWriter writer;

    private PredictionLog(Path file, List<Prediction> existing) {
        this.file = file;
        this.existing = existing;
    }

    static PredictionLog open(Path file) {
        List<Prediction> existing = new ArrayList<>();
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            if (Files.exists(file)) {
                byte[] bytes = Files.readAllBytes(file);
                int complete = 0;
                int lineStart = 0;
                int lineNo = 0;
                for (int i = 0; i < bytes.length; i++) {
                    if (bytes[i] == '\n') {
                        lineNo++;
                        String line = new String(bytes, lineStart, i - lineStart, StandardCharsets.UTF_8).trim();
                        if (!line.isEmpty()) {
                            try {
                                existing.add(JSON.readValue(line, Prediction.class));
                            } catch (JsonProcessingException e) {
                                throw new KefuException(ErrorCode.INVALID_DATA, file + ":" + lineNo
                                        + ": not a prediction record: " + e.getOriginalMessage());
                            }
                        }
                        complete = i + 1;
                        lineStart = i + 1;
                    }
                }
                if (complete < bytes.length) {
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        channel.truncate(complete);
                    }
                }
            }
            PredictionLog log = new PredictionLog(file, existing);
            log.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return log;
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot open predictions: " + e.getMessage(), e);
        }
    }

    List<Prediction> existing() {
        return existing;
    }

    void append(List<Prediction> predictions) {
        try {
            for (Prediction p : predictions) {
                writer.write(JSON.writeValueAsString(p));
                writer.write('\n');
            }
            writer.flush();
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot write predictions: " + e.getMessage(), e);
        }
    }

    static String toJsonl(List<Prediction> predictions) {
        StringBuilder sb = new StringBuilder();
        for (Prediction p : predictions) {
            try {
                sb.append(JSON.writeValueAsString(p)).append('\n');
            } catch (JsonProcessingException e) {
                throw new KefuException(ErrorCode.INTERNAL, "cannot serialise a prediction", e);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot close predictions: " + e.getMessage(), e);
        }
    }
}
