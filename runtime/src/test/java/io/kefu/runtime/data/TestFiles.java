package io.kefu.runtime.data;

import io.kefu.data.Example;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes small data files for the tests. */
final class TestFiles {
    private TestFiles() {
    }

    static Path write(Path dir, String name, String... lines) {
        return writeBytes(dir, name, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static Path writeBytes(Path dir, String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return {@code n} distinct, valid Alpaca JSONL lines */
    static List<String> alpacaLines(int n) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add("{\"instruction\": \"连衣裙" + i + "有S码吗?\", \"output\": \"亲亲，连衣裙" + i
                    + "的S码有货哦~\", \"intent\": \"" + (i % 2 == 0 ? "stock_size" : "size_advice") + "\"}");
        }
        return lines;
    }

    /** Loads with no minimum number of examples. */
    static List<Example> load(Path file) {
        return DatasetLoader.load(file, ValidationOptions.builder().minExamples(0).build()).examples();
    }

    static ValidationReport validate(Path file) {
        return new DatasetValidator(ValidationOptions.builder().minExamples(0).build()).validate(file);
    }
}
