package io.kefu.runtime.tokenize;

import static io.kefu.runtime.tokenize.TrainingFeatures.IGNORE_INDEX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatMessage;
import io.kefu.runtime.data.OverlongPolicy;
import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.data.Example;
import io.kefu.data.Provenance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Label masks on the real Llama 3 and Qwen 3 tokenizers and templates: exactly the answers and their end-of-turn are trained. */
class ChatFeaturizerTest {
    private static HfTokenizer llamaTokenizer;
    private static HfTokenizer qwenTokenizer;
    private static HfChatTemplate llamaTemplate;
    private static HfChatTemplate qwenTemplate;

    private static final int EOT_ID = 128009;
    private static final int START_HEADER_ID = 128006;
    private static final int IM_END = 151645;
    private static final int IM_START = 151644;

    @BeforeAll
    static void load() {
        llamaTokenizer = HfTokenizer.load(TestTokenizers.dir("llama3"));
        qwenTokenizer = HfTokenizer.load(TestTokenizers.dir("qwen3"));
        llamaTemplate = HfChatTemplate.fromModelDir(TestTokenizers.dir("llama3"));
        qwenTemplate = HfChatTemplate.fromModelDir(TestTokenizers.dir("qwen3"));
    }

    @AfterAll
    static void close() {
        llamaTokenizer.close();
        qwenTokenizer.close();
    }

    private static Example example(ChatMessage... messages) {
        return new Example(List.of(messages), null, null, null, Map.of(), Provenance.file("shop/train.jsonl", 7));
    }

    private static final Example SINGLE = example(
            ChatMessage.system("你是小美服饰的客服。"),
            ChatMessage.user("连衣裙A有S码吗?"),
            ChatMessage.assistant("亲亲，S码有货哦~ 满299减50。"));

    private static final Example MULTI = example(
            ChatMessage.system("Be brief."),
            ChatMessage.user("Price of dress A?"),
            ChatMessage.assistant("199 yuan."),
            ChatMessage.user("能开发票吗？ {{ 7 * 7 }}"),
            ChatMessage.assistant("可以的亲，下单时备注抬头和税号即可。"));

    /** Decodes each run of consecutive trained tokens. */
    private static List<String> trainedRuns(HfTokenizer tokenizer, TrainingFeatures features) {
        List<String> runs = new ArrayList<>();
        int[] labels = features.labels();
        for (int i = 0; i < labels.length; ) {
            if (labels[i] == IGNORE_INDEX) {
                i++;
                continue;
            }
            int start = i;
            while (i < labels.length && labels[i] != IGNORE_INDEX) {
                assertThat(labels[i]).isEqualTo(features.inputIds()[i]);
                i++;
            }
            runs.add(tokenizer.decode(Arrays.copyOfRange(labels, start, i)));
        }
        return runs;
    }

    /** Asserts that each trained run ends with the end-of-turn id and the token after it is masked. */
    private static void assertEachRunEndsWithEndOfTurn(TrainingFeatures features, int endOfTurnId) {
        int[] labels = features.labels();
        for (int i = 0; i < labels.length; i++) {
            boolean runEnds = labels[i] != IGNORE_INDEX && (i + 1 == labels.length || labels[i + 1] == IGNORE_INDEX);
            if (runEnds) {
                assertThat(features.inputIds()[i]).isEqualTo(endOfTurnId);
                if (i + 1 < labels.length) {
                    assertThat(labels[i + 1]).isEqualTo(IGNORE_INDEX);
                }
            }
        }
    }

    @Test
    void llama3TrainsExactlyTheAnswerAndEotId() {
        ChatFeaturizer featurizer = ChatFeaturizer.builder(llamaTokenizer, llamaTemplate).build();
        TrainingFeatures features = featurizer.featurize(SINGLE).orElseThrow();
        assertThat(llamaTemplate.endOfTurn()).isEqualTo("<|eot_id|>");
        assertThat(features.text()).isEqualTo(llamaTemplate.render(SINGLE.messages(), false));
        assertThat(llamaTokenizer.decode(features.inputIds())).isEqualTo(features.text());
        assertThat(features.inputIds()[0]).isEqualTo(128000);
        assertThat(trainedRuns(llamaTokenizer, features)).containsExactly("亲亲，S码有货哦~ 满299减50。<|eot_id|>");
        assertEachRunEndsWithEndOfTurn(features, EOT_ID);
        // this template always appends an assistant header: it follows the answer and is masked
        int eot = lastIndexOf(features.inputIds(), EOT_ID);
        assertThat(features.inputIds()[eot + 1]).isEqualTo(START_HEADER_ID);
        assertThat(features.labels()[eot + 1]).isEqualTo(IGNORE_INDEX);
    }

    @Test
    void llama3TrainsEveryAssistantTurn() {
        ChatFeaturizer featurizer = ChatFeaturizer.builder(llamaTokenizer, llamaTemplate).build();
        TrainingFeatures features = featurizer.featurize(MULTI).orElseThrow();
        assertThat(trainedRuns(llamaTokenizer, features))
                .containsExactly("199 yuan.<|eot_id|>", "可以的亲，下单时备注抬头和税号即可。<|eot_id|>");
        assertEachRunEndsWithEndOfTurn(features, EOT_ID);
        assertThat(features.text()).contains("能开发票吗？ {{ 7 * 7 }}");
    }

    @Test
    void qwen3TrainsTheAnswerItsThinkBlockAndImEnd() {
        ChatFeaturizer featurizer = ChatFeaturizer.builder(qwenTokenizer, qwenTemplate).build();
        TrainingFeatures features = featurizer.featurize(SINGLE).orElseThrow();
        assertThat(qwenTemplate.endOfTurn()).isEqualTo("<|im_end|>");
        assertThat(qwenTokenizer.decode(features.inputIds())).isEqualTo(features.text());
        assertThat(trainedRuns(qwenTokenizer, features))
                .containsExactly("<think>\n\n</think>\n\n亲亲，S码有货哦~ 满299减50。<|im_end|>");
        assertEachRunEndsWithEndOfTurn(features, IM_END);
        int imEnd = lastIndexOf(features.inputIds(), IM_END);
        assertThat(qwenTokenizer.decode(new int[] {features.inputIds()[imEnd + 1]})).isEqualTo("\n");
        assertThat(features.labels()[imEnd + 1]).isEqualTo(IGNORE_INDEX);
        // the header before the answer is masked
        int header = lastIndexOf(features.inputIds(), IM_START);
        assertThat(features.labels()[header]).isEqualTo(IGNORE_INDEX);
        assertThat(features.labels()[header + 1]).isEqualTo(IGNORE_INDEX);
    }

    @Test
    void qwen3TrainsEveryAssistantTurn() {
        ChatFeaturizer featurizer = ChatFeaturizer.builder(qwenTokenizer, qwenTemplate).build();
        TrainingFeatures features = featurizer.featurize(MULTI).orElseThrow();
        assertThat(trainedRuns(qwenTokenizer, features)).containsExactly(
                "199 yuan.<|im_end|>",
                "<think>\n\n</think>\n\n可以的亲，下单时备注抬头和税号即可。<|im_end|>");
        assertEachRunEndsWithEndOfTurn(features, IM_END);
    }

    @Test
    void qwen3WithThinkingOffMasksTheThinkBlockAsPartOfThePrompt() {
        ChatFeaturizer featurizer = ChatFeaturizer.builder(qwenTokenizer, qwenTemplate)
                .variables(Map.of("enable_thinking", false)).build();
        TrainingFeatures features = featurizer.featurize(SINGLE).orElseThrow();
        assertThat(trainedRuns(qwenTokenizer, features)).containsExactly("亲亲，S码有货哦~ 满299减50。<|im_end|>");
        int[] prompt = featurizer.promptIds(SINGLE.prompt());
        assertThat(qwenTokenizer.decode(prompt)).endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n");
        assertThat(Arrays.copyOf(features.inputIds(), prompt.length)).containsExactly(prompt);
    }

    @Test
    void promptIdsAreTheGenerationPromptWithOneBos() {
        ChatFeaturizer featurizer = ChatFeaturizer.builder(llamaTokenizer, llamaTemplate).build();
        int[] prompt = featurizer.promptIds(SINGLE.prompt());
        assertThat(prompt[0]).isEqualTo(128000);
        assertThat(Arrays.stream(prompt).filter(id -> id == 128000).count()).isEqualTo(1);
        assertThat(llamaTokenizer.decode(prompt)).endsWith("<|start_header_id|>assistant<|end_header_id|>\n\n");
        TrainingFeatures features = featurizer.featurize(SINGLE).orElseThrow();
        assertThat(Arrays.copyOf(features.inputIds(), prompt.length)).containsExactly(prompt);
        assertThat(features.labels()[prompt.length - 1]).isEqualTo(IGNORE_INDEX);
        assertThat(features.labels()[prompt.length]).isNotEqualTo(IGNORE_INDEX);
    }

    @Test
    void trainOnPromptTrainsEveryToken() {
        TrainingFeatures features = ChatFeaturizer.builder(qwenTokenizer, qwenTemplate).trainOnPrompt(true).build()
                .featurize(MULTI).orElseThrow();
        assertThat(features.labels()).containsExactly(features.inputIds());
    }

    @Test
    void overlongExamplesFollowThePolicy() {
        int full = ChatFeaturizer.builder(qwenTokenizer, qwenTemplate).build().featurize(MULTI).orElseThrow().length();
        int max = full - 5;
        TrainingFeatures truncated = ChatFeaturizer.builder(qwenTokenizer, qwenTemplate).maxLength(max)
                .overlongPolicy(OverlongPolicy.TRUNCATE).build().featurize(MULTI).orElseThrow();
        assertThat(truncated.length()).isEqualTo(max);
        assertThat(qwenTokenizer.decode(truncated.inputIds())).isEqualTo(truncated.text());
        assertThat(trainedRuns(qwenTokenizer, truncated).get(0)).isEqualTo("199 yuan.<|im_end|>");

        assertThat(ChatFeaturizer.builder(qwenTokenizer, qwenTemplate).maxLength(max)
                .overlongPolicy(OverlongPolicy.DROP).build().featurize(MULTI)).isEmpty();
        // truncation that leaves no answer drops the example
        assertThat(ChatFeaturizer.builder(qwenTokenizer, qwenTemplate).maxLength(8).build().featurize(MULTI)).isEmpty();

        assertThatThrownBy(() -> ChatFeaturizer.builder(qwenTokenizer, qwenTemplate).maxLength(max)
                .overlongPolicy(OverlongPolicy.ERROR).build().featurize(MULTI))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DATA))
                .hasMessageContaining("shop/train.jsonl:7")
                .hasMessageContaining(full + " tokens")
                .hasMessageContaining("maximum length " + max);
        assertThat(ChatFeaturizer.builder(qwenTokenizer, qwenTemplate).maxLength(full)
                .overlongPolicy(OverlongPolicy.ERROR).build().featurize(MULTI)).isPresent();
    }

    @Test
    void badInputIsALocatedError() {
        ChatFeaturizer featurizer = ChatFeaturizer.builder(qwenTokenizer, qwenTemplate).build();
        assertThatThrownBy(() -> featurizer.featurize(example(ChatMessage.user("hi"))))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DATA))
                .hasMessage("shop/train.jsonl:7: no assistant message to train on");
        HfChatTemplate strict = HfChatTemplate.of("{% if messages[0].role != 'system' %}{{ raise_exception('a system message must come first') }}"
                + "{% endif %}{% for m in messages %}{{ m.content }}<|im_end|>{% endfor %}", null, "<|im_end|>");
        assertThatThrownBy(() -> ChatFeaturizer.builder(qwenTokenizer, strict).build()
                .featurize(example(ChatMessage.user("hi"), ChatMessage.assistant("ok"))))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DATA))
                .hasMessageContaining("shop/train.jsonl:7")
                .hasMessageContaining("a system message must come first");
        assertThatThrownBy(() -> ChatFeaturizer.builder(qwenTokenizer, qwenTemplate).maxLength(0).build())
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }

    private static int lastIndexOf(int[] ids, int id) {
        for (int i = ids.length - 1; i >= 0; i--) {
            if (ids[i] == id) {
                return i;
            }
        }
        throw new AssertionError("id " + id + " not found");
    }
}
