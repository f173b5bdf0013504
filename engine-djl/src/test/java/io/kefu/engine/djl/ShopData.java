package io.kefu.engine.djl;

import io.kefu.data.Dataset;
import io.kefu.data.Example;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/** The sample shop's training dialogs. */
final class ShopData {
    private ShopData() {
    }

    static Path file() {
        String repo = System.getProperty("kefu.repo.dir");
        if (repo == null) {
            throw new IllegalStateException("system property kefu.repo.dir is not set (the build sets it)");
        }
        return Path.of(repo, "examples", "shop", "train.jsonl");
    }

    /** @return the first n examples */
    static Dataset first(int n) {
        List<Example> all = Dataset.load(file()).examples();
        return Dataset.of(all.subList(0, Math.min(n, all.size())));
    }

    /** @return the n examples with the shortest answers */
    static Dataset shortestAnswers(int n) {
        List<Example> all = Dataset.load(file()).examples().stream()
                .sorted(Comparator.comparingInt((Example e) -> e.answer().orElse("").length()))
                .limit(n).toList();
        return Dataset.of(all);
    }
}
