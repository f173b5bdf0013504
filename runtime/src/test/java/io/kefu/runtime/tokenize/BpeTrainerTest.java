package io.kefu.runtime.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.KefuException;
import io.kefu.chat.ChatMessage;
import io.kefu.runtime.template.HfChatTemplate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {
    private static final List<String> TEXTS = List.of(
            "您好,墨绿110码暂时缺货,预计3天左右补货。",
            "尺码表:S 150-157cm 40-46kg;M 158-163cm 47-52kg",
            "Hello there, the hello world of shops!",
            "库存:墨绿 100=31 110=0 120=13",
            "满299减50(至2026-12-31)",
            "emoji 😀 and tabs\tand\nnew lines\r\n");

    @TempDir
    Path dir;

    private BpeTrainer.Result trainOn(List<String> texts, int vocabSize) {
        BpeTrainer trainer = new BpeTrainer(vocabSize, 2);
        for (int i = 0; i < 20; i++) {
            texts.forEach(trainer::add);
        }
        return trainer.train();
    }

    @Test
    void theRustTokenizerEncodesAsTrainingMergedAndDecodesEveryTextBack() {
        BpeTrainer.Result bpe = trainOn(TEXTS, 600);
        BpeTokenizerFiles.write(bpe, 1024, dir);
        try (HfTokenizer tokenizer = HfTokenizer.load(dir)) {
            for (String text : TEXTS) {
                int[] ids = tokenizer.encode(text);
                assertThat(tokenizer.decode(ids)).isEqualTo(text);
                assertThat(ids.length).isLessThan(text.getBytes(StandardCharsets.UTF_8).length * 2 / 3);
            }
            // a frequent Latin piece became one token, each Chinese character is a token of its own,
            // and an unseen text still encodes, byte by byte
            assertThat(tokenizer.encode("kg")).hasSize(1);
            assertThat(tokenizer.encode("墨绿")).hasSize(2);
            assertThat(tokenizer.decode(new int[] {tokenizer.encode("墨绿")[0]})).isEqualTo("墨");
            assertThat(tokenizer.decode(tokenizer.encode("没见过的字 xyz"))).isEqualTo("没见过的字 xyz");
            assertThat(tokenizer.vocabSize()).isEqualTo(bpe.vocab().size() + 3);
        }
    }

    @Test
    void specialTokensAndChatTemplateMakeAChatMlModelFolder() {
        BpeTokenizerFiles.write(trainOn(TEXTS, 400), 512, dir);
        try (HfTokenizer tokenizer = HfTokenizer.load(dir)) {
            assertThat(tokenizer.eosToken()).contains(BpeTokenizerFiles.TURN_END);
            int end = tokenizer.tokenId(BpeTokenizerFiles.TURN_END).orElseThrow();
            assertThat(tokenizer.isSpecial(end)).isTrue();
            String rendered = HfChatTemplate.fromModelDir(dir)
                    .render(List.of(ChatMessage.system("店铺客服"), ChatMessage.user("有货吗")), true, Map.of());
            assertThat(rendered).isEqualTo("<|im_start|>system\n店铺客服<|im_end|>\n<|im_start|>user\n有货吗<|im_end|>\n"
                    + "<|im_start|>assistant\n");
            int[] ids = tokenizer.encode(rendered);
            assertThat(ids).contains(end);
            assertThat(tokenizer.decode(ids)).isEqualTo(rendered);
        }
    }

    @Test
    void theSameTextsGiveTheSameVocabulary() {
        BpeTrainer.Result a = trainOn(TEXTS, 500);
        List<String> reversed = new ArrayList<>(TEXTS);
        Collections.reverse(reversed);
        BpeTrainer.Result b = trainOn(reversed, 500);
        assertThat(a.vocab()).containsExactlyEntriesOf(b.vocab());
    }

    @Test
    void stopsWhenNoPairIsFrequentEnough() {
        BpeTrainer trainer = new BpeTrainer(100_000, 2);
        trainer.add("ab ab");
        BpeTrainer.Result result = trainer.train();
        assertThat(result.merges()).extracting(m -> m[0] + m[1]).containsExactly("ab");
        assertThat(result.vocab()).hasSize(257);
    }

    @Test
    void rejectsAVocabularyNoLargerThanTheBytes() {
        assertThatThrownBy(() -> new BpeTrainer(256, 2)).isInstanceOf(KefuException.class).hasMessageContaining("above 256");
        assertThatThrownBy(() -> new BpeTrainer(300, 0)).isInstanceOf(KefuException.class).hasMessageContaining("at least 1");
    }
}
