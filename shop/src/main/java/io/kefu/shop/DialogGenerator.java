package io.kefu.shop;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * Generates a shop's training and held-out dialogs, deterministically from a seed.
 *
 * <p>Training questions come from the {@link PhrasingPool#TRAIN} phrasings, held-out ones from
 * {@link PhrasingPool#TEST}, and no held-out question text occurs in training. Within a split no
 * (question, facts) pair repeats. Answers come from {@link DialogComposer}. The same catalog and
 * configuration always give byte-identical files.
 */
public final class DialogGenerator {
    /** Train dialogs per intent at the default size (600 in all). */
    public static final Map<Intent, Integer> DEFAULT_WEIGHTS = defaultWeights();

    private final Config config;

    /** @param config how many dialogs, which seed, day and style */
    public DialogGenerator(Config config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * The generated dialogs of one shop.
     *
     * @param train the training dialogs
     * @param test the held-out dialogs
     */
    public record Generated(List<ShopDialog> train, List<ShopDialog> test) {
        /** Copies the lists. */
        public Generated {
            train = List.copyOf(train);
            test = List.copyOf(test);
        }

        /** Writes {@code train.jsonl} and {@code test.jsonl} into {@code directory}, each atomically. */
        public void writeTo(Path directory) {
            DialogJsonl.write(train, directory.resolve("train.jsonl"));
            DialogJsonl.write(test, directory.resolve("test.jsonl"));
        }
    }

    /** @return the dialogs of {@code catalog}; ids are {@code train-0001 ...} and {@code test-0001 ...} */
    public Generated generate(ShopCatalog catalog) {
        return generate(catalog, "");
    }

    /**
     * @param idPrefix put before every id (e.g. a shop id for multi-shop corpora); may be empty
     * @return the dialogs of {@code catalog}
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when the catalog is too small for the
     *     requested number of distinct dialogs
     */
    public Generated generate(ShopCatalog catalog, String idPrefix) {
        Random random = new Random(config.seed());
        DialogComposer composer = new DialogComposer(catalog, config.day(), config.style());
        ScenarioSampler sampler = new ScenarioSampler(catalog, Phrasings.standard());
        Set<String> trainQuestions = new HashSet<>();
        List<ShopDialog> train = split(composer, sampler, PhrasingPool.TRAIN, config.trainCount(), idPrefix + "train-",
                random, Set.of(), trainQuestions);
        List<ShopDialog> test = split(composer, sampler, PhrasingPool.TEST, config.testCount(), idPrefix + "test-",
                random, trainQuestions, new HashSet<>());
        return new Generated(train, test);
    }

    private List<ShopDialog> split(DialogComposer composer, ScenarioSampler sampler, PhrasingPool pool, int count,
                                   String idPrefix, Random random, Set<String> forbiddenQuestions, Set<String> questions) {
        List<Intent> plan = new ArrayList<>();
        allocate(count, config.weights()).forEach((intent, n) -> {
            for (int i = 0; i < n; i++) {
                plan.add(intent);
            }
        });
        Collections.shuffle(plan, random);
        Set<String> seen = new HashSet<>();
        List<ShopDialog> out = new ArrayList<>(count);
        for (Intent intent : plan) {
            String id = idPrefix + String.format("%04d", out.size() + 1);
            ShopDialog dialog = null;
            for (int attempt = 0; attempt < 500 && dialog == null; attempt++) {
                ShopDialog candidate = composer.compose(id, sampler.sample(intent, pool, random), random, null);
                if (!forbiddenQuestions.contains(candidate.instruction())
                        && seen.add(candidate.instruction() + "\n" + candidate.input())) {
                    dialog = candidate;
                }
            }
            if (dialog == null) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "cannot generate " + count + " distinct "
                        + pool.name().toLowerCase(java.util.Locale.ROOT) + " dialogs for intent " + intent.wireName()
                        + " from this catalog; ask for fewer or add products");
            }
            questions.add(dialog.instruction());
            out.add(dialog);
        }
        return out;
    }

    /** Splits {@code total} over intents in proportion to their weights (largest remainder, ties in intent order). */
    static Map<Intent, Integer> allocate(int total, Map<Intent, Integer> weights) {
        int sum = weights.values().stream().mapToInt(Integer::intValue).sum();
        Map<Intent, Integer> counts = new EnumMap<>(Intent.class);
        List<Intent> byRemainder = new ArrayList<>(weights.keySet());
        int assigned = 0;
        for (Intent intent : byRemainder) {
            int n = (int) ((long) total * weights.get(intent) / sum);
            counts.put(intent, n);
            assigned += n;
        }
        byRemainder.sort((a, b) -> Long.compare(remainder(total, weights.get(b), sum), remainder(total, weights.get(a), sum)));
        for (int i = 0; assigned < total; i++, assigned++) {
            Intent intent = byRemainder.get(i % byRemainder.size());
            counts.put(intent, counts.get(intent) + 1);
        }
        return counts;
    }

    private static long remainder(int total, int weight, int sum) {
        return (long) total * weight % sum;
    }

    private static Map<Intent, Integer> defaultWeights() {
        Map<Intent, Integer> w = new EnumMap<>(Intent.class);
        w.put(Intent.STOCK_SIZE, 90);
        w.put(Intent.SIZE_ADVICE, 70);
        w.put(Intent.INVOICE, 35);
        w.put(Intent.DELIVERY_TIME, 55);
        w.put(Intent.RETURNS, 45);
        w.put(Intent.PROMOTION, 55);
        w.put(Intent.HESITATION, 40);
        w.put(Intent.PAYMENT_COD, 45);
        w.put(Intent.MATERIAL_CARE, 40);
        w.put(Intent.ORDER_STATUS, 35);
        w.put(Intent.COMPLAINT, 35);
        w.put(Intent.HUMAN_REQUEST, 25);
        w.put(Intent.OUT_OF_SCOPE, 30);
        return Collections.unmodifiableMap(w);
    }

    /**
     * What to generate. Defaults: seed 42, 600 train and 130 test dialogs, day 2026-11-20 (whose
     * promotions count as active), {@link AnswerStyle#WARM}, {@link #DEFAULT_WEIGHTS}.
     */
    public static final class Config {
        private final long seed;
        private final int trainCount;
        private final int testCount;
        private final LocalDate day;
        private final AnswerStyle style;
        private final Map<Intent, Integer> weights;

        private Config(Builder b) {
            this.seed = b.seed;
            this.trainCount = b.trainCount;
            this.testCount = b.testCount;
            this.day = b.day;
            this.style = b.style;
            this.weights = Collections.unmodifiableMap(new EnumMap<>(b.weights));
        }

        /** @return a builder with the defaults */
        public static Builder builder() {
            return new Builder();
        }

        /** @return the default configuration (the committed sample dataset's) */
        public static Config defaults() {
            return builder().build();
        }

        /** @return the random seed */
        public long seed() { return seed; }

        /** @return the number of training dialogs */
        public int trainCount() { return trainCount; }

        /** @return the number of held-out dialogs */
        public int testCount() { return testCount; }

        /** @return the day whose promotions are active */
        public LocalDate day() { return day; }

        /** @return the answer tone */
        public AnswerStyle style() { return style; }

        /** @return the relative share of each intent */
        public Map<Intent, Integer> weights() { return weights; }

        /** Builds a {@link Config}; see the class javadoc for defaults. */
        public static final class Builder {
            /** The day the committed sample dataset was generated for. */
            public static final LocalDate DEFAULT_DAY = LocalDate.of(2026, 11, 20);

            private long seed = 42;
            private int trainCount = 600;
            private int testCount = 130;
            private LocalDate day = DEFAULT_DAY;
            private AnswerStyle style = AnswerStyle.WARM;
            private Map<Intent, Integer> weights = DEFAULT_WEIGHTS;

            private Builder() {
            }

            /** @param value random seed (default 42) */
            public Builder seed(long value) { this.seed = value; return this; }

            /** @param value training dialogs, at least 0 (default 600) */
            public Builder trainCount(int value) { this.trainCount = value; return this; }

            /** @param value held-out dialogs, at least 0 (default 130) */
            public Builder testCount(int value) { this.testCount = value; return this; }

            /** @param value the day whose promotions are active (default 2026-11-20) */
            public Builder day(LocalDate value) { this.day = Objects.requireNonNull(value, "day"); return this; }

            /** @param value the answer tone (default {@link AnswerStyle#WARM}) */
            public Builder style(AnswerStyle value) { this.style = Objects.requireNonNull(value, "style"); return this; }

            /** @param value relative share per intent; every intent needs a weight of at least 0, and one above 0 */
            public Builder weights(Map<Intent, Integer> value) { this.weights = Map.copyOf(value); return this; }

            /** @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} on negative counts or bad weights */
            public Config build() {
                if (trainCount < 0 || testCount < 0) {
                    throw new KefuException(ErrorCode.INVALID_ARGUMENT, "trainCount=" + trainCount + ", testCount="
                            + testCount + ": counts must not be negative");
                }
                int sum = 0;
                for (Intent intent : Intent.values()) {
                    Integer w = weights.get(intent);
                    if (w == null || w < 0) {
                        throw new KefuException(ErrorCode.INVALID_ARGUMENT, "weights." + intent.wireName() + "=" + w
                                + ": every intent needs a weight of at least 0");
                    }
                    sum += w;
                }
                if (sum == 0) {
                    throw new KefuException(ErrorCode.INVALID_ARGUMENT, "weights: at least one intent needs a weight above 0");
                }
                return new Config(this);
            }
        }
    }
}
