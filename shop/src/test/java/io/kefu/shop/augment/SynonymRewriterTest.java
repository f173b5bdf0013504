package io.kefu.shop.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.shop.DialogJsonl;
import io.kefu.shop.FactChecks;
import io.kefu.shop.SampleShop;
import io.kefu.shop.ShopDialog;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SynonymRewriterTest {
    private static final List<ShopDialog> TRAIN = DialogJsonl.read(SampleShop.dir().resolve("train.jsonl"));

    @Test
    void shippedLexiconHasAtLeastFortyDigitFreeRules() {
        List<SynonymLexicon.Rule> rules = SynonymLexicon.standard().rules();
        assertThat(rules).hasSizeGreaterThanOrEqualTo(40);
        assertThat(rules).extracting(SynonymLexicon.Rule::pattern).contains("有货吗").doesNotHaveDuplicates();
        for (SynonymLexicon.Rule rule : rules) {
            assertThat(rule.pattern() + rule.replacements()).doesNotContainPattern("\\d");
            assertThat(rule.replacements()).isNotEmpty().doesNotContain(rule.pattern());
        }
        assertThat(rules.stream().filter(r -> r.pattern().equals("有货吗")).findFirst().orElseThrow().replacements())
                .contains("还有库存吗");
    }

    @Test
    void rewritesOnlyTheQuestionAndRecordsTheRule() {
        List<ShopDialog> rewritten = new SynonymRewriter(SynonymLexicon.standard()).rewrite(TRAIN, 7);
        assertThat(rewritten.size()).isGreaterThan(TRAIN.size() / 3);
        Map<String, ShopDialog> byId = new HashMap<>();
        TRAIN.forEach(d -> byId.put(d.id(), d));
        for (ShopDialog d : rewritten) {
            ShopDialog source = byId.get(d.provenance().source());
            assertThat(d.provenance().method()).isEqualTo("synonym");
            assertThat(d.id()).isEqualTo(source.id() + "~syn");
            assertThat(d.instruction()).isNotEqualTo(source.instruction());
            assertThat(d.input()).isEqualTo(source.input());
            assertThat(d.output()).isEqualTo(source.output());
            String[] rule = d.provenance().detail().split("->");
            assertThat(source.instruction()).contains(rule[0]);
            assertThat(d.instruction()).isEqualTo(source.instruction().replaceFirst(java.util.regex.Pattern.quote(rule[0]), rule[1]));
            assertThat(FactChecks.check(d.instruction(), d.input(), d.output())).isEmpty();
        }
    }

    @Test
    void sameSeedSameRewritesOtherSeedOtherChoices() {
        SynonymRewriter rewriter = new SynonymRewriter(SynonymLexicon.standard());
        assertThat(rewriter.rewrite(TRAIN, 7)).isEqualTo(rewriter.rewrite(TRAIN, 7));
        assertThat(rewriter.rewrite(TRAIN, 7)).isNotEqualTo(rewriter.rewrite(TRAIN, 8));
    }

    @Test
    void malformedLexiconLinesAreLocated() {
        assertThatThrownBy(() -> SynonymLexicon.parse("# c\n有货吗\t还有库存吗\n坏规则\n", "my.tsv"))
                .isInstanceOf(KefuException.class).hasMessageStartingWith("my.tsv:3: expected PATTERN<TAB>REPLACEMENT")
                .extracting(e -> ((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_DATA);
        assertThatThrownBy(() -> SynonymLexicon.parse("一米六\t160\n", "my.tsv")).hasMessageContaining("my.tsv:1: rules must not contain digits");
        assertThatThrownBy(() -> SynonymLexicon.parse("有货吗\t还有吗||\n", "my.tsv")).hasMessageContaining("my.tsv:1: empty replacement");
        assertThatThrownBy(() -> SynonymLexicon.parse("", "my.tsv")).hasMessageContaining("my.tsv: no rules");
    }
}
