package io.kefu.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.chat.ChatMessage;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.data.Provenance;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NewDataFilterTest {
    private static Example example(String question, String answer) {
        return new Example(List.of(ChatMessage.user(question), ChatMessage.assistant(answer)), null, null, null, Map.of(),
                new Provenance("data.jsonl", question, 0, ""));
    }

    @Test
    void recordsTrainedOnBeforeAndRepeatsWithinTheNewDataAreLeftOutInFileOrder() {
        Dataset earlier = ListDataset.of(List.of(example("连衣裙有S码吗", "有的"), example("能开发票吗", "可以")));
        Dataset fresh = ListDataset.of(List.of(
                example("羽绒服有M码吗", "有的"),
                example("连衣裙有S码吗", "有的"),                 // trained on before
                example("能开发票吗 ", "可以"),                     // the same after normalising whitespace
                example("羽绒服怎么洗", "干洗"),
                example("羽绒服有M码吗", "有的"),                  // a repeat within the new data
                example("连衣裙有S码吗", "没有了")));              // the same question, another answer: new
        NewDataFilter.Result result = NewDataFilter.filter(fresh, earlier);
        assertThat(result.alreadyTrained()).isEqualTo(2);
        assertThat(result.repeated()).isEqualTo(1);
        assertThat(result.kept().examples()).extracting(e -> e.question().orElseThrow() + "/" + e.answer().orElseThrow())
                .containsExactly("羽绒服有M码吗/有的", "羽绒服怎么洗/干洗", "连衣裙有S码吗/没有了");
    }

    @Test
    void withoutEarlierDataOnlyRepeatsAreLeftOut() {
        NewDataFilter.Result result = NewDataFilter.filter(ListDataset.of(List.of(example("a", "b"), example("a", "b"))),
                ListDataset.of(List.of()));
        assertThat(result.kept().size()).isEqualTo(1);
        assertThat(result.alreadyTrained()).isZero();
        assertThat(result.repeated()).isEqualTo(1);
    }
}
