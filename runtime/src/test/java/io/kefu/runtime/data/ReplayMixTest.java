package io.kefu.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatMessage;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.data.Provenance;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayMixTest {
    private static Example example(String file, String question, String answer) {
        return new Example(List.of(ChatMessage.user(question), ChatMessage.assistant(answer)), null, null, null, Map.of(),
                new Provenance(file, question, 0, ""));
    }

    private static Dataset fresh(int n) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(example("june.jsonl", "new question " + i, "new answer " + i));
        }
        return ListDataset.of(out);
    }

    private static Dataset earlier(int n) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(example("may.jsonl", "old question " + i, "old answer " + i));
        }
        return ListDataset.of(out);
    }

    private static List<String> questions(List<Example> examples) {
        return examples.stream().map(e -> e.question().orElseThrow()).toList();
    }

    @Test
    void theRatioIsTheShareOfTheMixedSetTakenFromTheEarlierData() {
        ReplayMix.Result mix = ReplayMix.mix(fresh(100), null, earlier(500), 0.2, 42);

        assertThat(mix.wanted()).isEqualTo(25);
        assertThat(mix.replayed()).isEqualTo(25);
        assertThat(mix.duplicates()).isZero();
        List<Example> all = mix.train().examples();
        assertThat(all).hasSize(125);
        assertThat(all.subList(0, 100)).isEqualTo(fresh(100).examples());
        List<String> replayed = questions(all.subList(100, 125));
        assertThat(replayed).allMatch(q -> q.startsWith("old question ")).doesNotHaveDuplicates();
        assertThat(replayed.size() / (double) all.size()).isEqualTo(0.2);

        assertThat(ReplayMix.mix(fresh(30), null, earlier(500), 0.5, 42).replayed()).isEqualTo(30);
        assertThat(ReplayMix.mix(fresh(10), null, earlier(500), 0.1, 42).replayed()).isEqualTo(1); // round(10/9)
    }

    @Test
    void theSampleIsSeededAndKeptInFileOrder() {
        List<String> a = questions(ReplayMix.mix(fresh(100), null, earlier(500), 0.2, 42).train().examples());
        List<String> b = questions(ReplayMix.mix(fresh(100), null, earlier(500), 0.2, 42).train().examples());
        List<String> other = questions(ReplayMix.mix(fresh(100), null, earlier(500), 0.2, 43).train().examples());

        assertThat(a).isEqualTo(b);
        assertThat(other).isNotEqualTo(a);
        List<Integer> numbers = a.subList(100, 125).stream().map(q -> Integer.parseInt(q.substring("old question ".length()))).toList();
        assertThat(numbers).isSorted();
        // not simply the head of the file
        assertThat(numbers.get(numbers.size() - 1)).isGreaterThan(100);
    }

    @Test
    void earlierRecordsAlsoInTheNewDataAreNeverReplayed() {
        List<Example> old = new ArrayList<>(earlier(20).examples());
        old.add(example("may.jsonl", "new question 3", "new answer 3"));            // the same conversation
        old.add(example("may.jsonl", " new  question\u30004 ", "new answer 4"));   // the same after normalising whitespace
        old.add(example("may.jsonl", "held out question", "held out answer"));     // in the new validation data
        Dataset validation = ListDataset.of(List.of(example("june.jsonl", "held out question", "held out answer")));

        // asks for more than there are, so every candidate is taken
        ReplayMix.Result mix = ReplayMix.mix(fresh(40), validation, ListDataset.of(old), 0.5, 7);

        assertThat(mix.duplicates()).isEqualTo(3);
        assertThat(mix.wanted()).isEqualTo(40);
        assertThat(mix.replayed()).isEqualTo(20);
        List<String> replayed = questions(mix.train().examples().subList(40, 60));
        assertThat(replayed).allMatch(q -> q.startsWith("old question "));
        Set<String> all = new HashSet<>(questions(mix.train().examples()));
        assertThat(all).hasSize(60);
    }

    @Test
    void aRatioOutsideZeroToOneIsRefused() {
        for (double ratio : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> ReplayMix.mix(fresh(10), null, earlier(10), ratio, 1))
                    .isInstanceOf(KefuException.class)
                    .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                    .hasMessageContaining("replay ratio " + ratio).hasMessageContaining("below 1");
        }
    }
}
