package io.kefu.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatMessage;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.data.Provenance;
import io.kefu.data.Split;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ListDatasetTest {
    private static Example example(int i, String intent, String question) {
        return new Example(List.of(ChatMessage.user(question), ChatMessage.assistant("answer " + i)), intent,
                i % 3 == 0 ? "gentle_nudge" : "direct_answer", null, Map.of(), new Provenance("test", "n" + i, 0, ""));
    }

    /** 50 stock, 30 invoice, 15 returns, 5 without intent. */
    private static ListDataset sample() {
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String intent = i < 50 ? "stock" : i < 80 ? "invoice" : i < 95 ? "returns" : null;
            examples.add(example(i, intent, "question " + i));
        }
        return ListDataset.of(examples);
    }

    @Test
    void shuffleIsSeededFisherYatesAsDocumented() {
        ListDataset data = sample();
        List<Example> expected = new ArrayList<>(data.examples());
        Collections.shuffle(expected, new Random(42));
        assertThat(data.shuffle(42).examples()).isEqualTo(expected);
        assertThat(data.shuffle(42)).isEqualTo(data.shuffle(42));
        assertThat(data.shuffle(7).examples()).isNotEqualTo(data.shuffle(42).examples())
                .containsExactlyInAnyOrderElementsOf(data.examples());
        assertThat(data.examples()).isEqualTo(sample().examples()); // the original is unchanged
    }

    @Test
    void splitIsStratifiedByIntentAndReproducible() {
        Split split = sample().split(0.8, 42);
        assertThat(split.train().size()).isEqualTo(80);
        assertThat(split.test().size()).isEqualTo(20);
        Map<String, Long> testIntents = split.test().examples().stream()
                .collect(Collectors.groupingBy(e -> String.valueOf(e.intent()), Collectors.counting()));
        assertThat(testIntents).isEqualTo(Map.of("stock", 10L, "invoice", 6L, "returns", 3L, "null", 1L));
        HashSet<Example> all = new HashSet<>(split.train().examples());
        all.addAll(split.test().examples());
        assertThat(all).hasSize(100);
        Split again = sample().split(0.8, 42);
        assertThat(again.train().examples()).isEqualTo(split.train().examples());
        assertThat(again.test().examples()).isEqualTo(split.test().examples());
        assertThat(sample().split(0.8, 43).test().examples()).isNotEqualTo(split.test().examples());
    }

    @Test
    void splitRoundsByLargestRemainder() {
        // 7 a, 2 b, 1 c with 30% test = 3: a 2.1, b 0.6, c 0.3 -> a 2, b 1, c 0
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            examples.add(example(i, i < 7 ? "a" : i < 9 ? "b" : "c", "q" + i));
        }
        Split split = Dataset.of(examples).split(0.7, 1);
        assertThat(split.test().examples().stream().collect(Collectors.groupingBy(Example::intent, Collectors.counting())))
                .isEqualTo(Map.of("a", 2L, "b", 1L));
    }

    @Test
    void splitWithoutIntentsTestsTheShuffledHead() {
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            examples.add(example(i, null, "q" + i));
        }
        ListDataset data = ListDataset.of(examples);
        Split split = data.split(0.9, 5);
        assertThat(split.test().examples()).isEqualTo(data.shuffle(5).examples().subList(0, 1));
        assertThat(split.train().examples()).isEqualTo(data.shuffle(5).examples().subList(1, 10));
    }

    @Test
    void splitRejectsBadFractionsAndTinyDatasets() {
        assertThatThrownBy(() -> sample().split(1.0, 1)).isInstanceOfSatisfying(KefuException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> sample().split(Double.NaN, 1)).isInstanceOf(KefuException.class);
        assertThatThrownBy(() -> ListDataset.of(List.of(example(1, null, "q"))).split(0.5, 1))
                .hasMessageContaining("at least 2");
    }

    @Test
    void deduplicateKeepsTheFirstOfEachConversation() {
        Example a = example(1, "x", "有S码吗");
        Example aSpaced = example(1, "y", " 有S码吗\u3000");
        Example b = example(2, "x", "有M码吗");
        ListDataset data = ListDataset.of(List.of(a, b, a, aSpaced));
        assertThat(data.deduplicate().examples()).containsExactly(a, b);
        ListDataset unique = ListDataset.of(List.of(a, b));
        assertThat(unique.deduplicate()).isSameAs(unique);
    }

    @Test
    void statsCountIntentsStrategiesAndLengths() {
        DatasetStats stats = sample().stats();
        assertThat(stats.examples()).isEqualTo(100);
        assertThat(stats.intents()).containsExactly(Map.entry("(none)", 5L), Map.entry("invoice", 30L),
                Map.entry("returns", 15L), Map.entry("stock", 50L));
        assertThat(stats.strategies()).isEqualTo(Map.of("gentle_nudge", 34L, "direct_answer", 66L));
        assertThat(stats.turns()).isEqualTo(Map.of(1, 100L));
        LengthHistogram lengths = stats.lengths();
        // "question i" + "answer i": 18 characters for i < 10, 20 for i >= 10
        assertThat(lengths.unit()).isEqualTo("characters");
        assertThat(lengths.min()).isEqualTo(18);
        assertThat(lengths.max()).isEqualTo(20);
        assertThat(lengths.p50()).isEqualTo(20);
        assertThat(lengths.mean()).isEqualTo(19.8);
        assertThat(lengths.buckets()).extracting(LengthHistogram.Bucket::count).containsExactly(10L, 0L, 90L);
        assertThat(lengths.toText(10)).contains("18-18 | #          10", "20-20 | ########## 90");
        Function<Example, Integer> words = e -> e.messages().size();
        assertThat(sample().stats(words::apply).lengths().unit()).isEqualTo("tokens");
    }

    @Test
    void histogramBucketsHaveRoundWidths() {
        assertThat(StatsCollector.niceWidth(1)).isEqualTo(1);
        assertThat(StatsCollector.niceWidth(15)).isEqualTo(2);
        assertThat(StatsCollector.niceWidth(45)).isEqualTo(5);
        assertThat(StatsCollector.niceWidth(100)).isEqualTo(10);
        assertThat(StatsCollector.niceWidth(1234)).isEqualTo(200);
    }
}
