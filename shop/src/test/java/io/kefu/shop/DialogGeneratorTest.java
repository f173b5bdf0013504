package io.kefu.shop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DialogGeneratorTest {
    private static ShopCatalog catalog;
    private static DialogGenerator.Generated generated;

    @BeforeAll
    static void generate() {
        catalog = SampleShop.load();
        generated = new DialogGenerator(DialogGenerator.Config.defaults()).generate(catalog);
    }

    @Test
    void rebuildsTheCommittedSampleDatasetByteForByte(@TempDir Path out) throws Exception {
        generated.writeTo(out);
        for (String name : List.of("train.jsonl", "test.jsonl")) {
            byte[] rebuilt = Files.readAllBytes(out.resolve(name));
            byte[] committed = Files.readAllBytes(SampleShop.dir().resolve(name));
            if (!java.util.Arrays.equals(rebuilt, committed)) {
                List<String> a = Files.readAllLines(out.resolve(name));
                List<String> b = Files.readAllLines(SampleShop.dir().resolve(name));
                int line = 0;
                while (line < Math.min(a.size(), b.size()) && a.get(line).equals(b.get(line))) {
                    line++;
                }
                throw new AssertionError(name + " differs from the committed file at line " + (line + 1)
                        + " (regenerate: kefu data generate-shop --shop examples/shop --out examples/shop --seed 42)\nrebuilt:   "
                        + (line < a.size() ? a.get(line) : "<end>") + "\ncommitted: " + (line < b.size() ? b.get(line) : "<end>"));
            }
        }
    }

    @Test
    void sizesAndEveryIntentInBothSplits() {
        assertThat(generated.train()).hasSizeGreaterThanOrEqualTo(500);
        assertThat(generated.test()).hasSizeGreaterThanOrEqualTo(100);
        for (List<ShopDialog> split : List.of(generated.train(), generated.test())) {
            Set<String> intents = split.stream().map(ShopDialog::intent).collect(Collectors.toSet());
            assertThat(intents).containsExactlyInAnyOrderElementsOf(
                    EnumSet.allOf(Intent.class).stream().map(Intent::wireName).toList());
        }
    }

    @Test
    void heldOutQuestionsNeverAppearInTraining() {
        Set<String> train = generated.train().stream().map(ShopDialog::instruction).collect(Collectors.toSet());
        for (ShopDialog d : generated.test()) {
            assertThat(train).as(d.id()).doesNotContain(d.instruction());
        }
        for (Intent intent : Intent.values()) {
            Set<String> trainPhrasings = new HashSet<>(Phrasings.standard().of(intent, PhrasingPool.TRAIN));
            assertThat(Phrasings.standard().of(intent, PhrasingPool.TEST)).doesNotContainAnyElementsOf(trainPhrasings);
        }
    }

    @Test
    void noPromptRepeatsWithinASplit() {
        for (List<ShopDialog> split : List.of(generated.train(), generated.test())) {
            Set<String> prompts = new HashSet<>();
            for (ShopDialog d : split) {
                assertThat(prompts.add(d.instruction() + "\n" + d.input())).as(d.id()).isTrue();
            }
        }
    }

    @Test
    void everyAnswerAgreesWithItsFacts() {
        List<String> problems = new ArrayList<>();
        for (ShopDialog d : all()) {
            FactChecks.check(d.instruction(), d.input(), d.output()).forEach(p -> problems.add(d.id() + ": " + p));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void sizeAdviceMatchesTheRenderedSizeChart() {
        Pattern heightWeight = Pattern.compile("(\\d{3})\\D+(\\d{2})");
        Pattern advised = Pattern.compile("选(?:大一点的)?(XXL|XL|S|M|L)码");
        int checked = 0;
        for (ShopDialog d : all()) {
            if (!d.intent().equals("size_advice")) {
                continue;
            }
            Matcher hw = heightWeight.matcher(d.instruction().replaceAll("(\\d{2})kg[,、 ]*(?:身高)?(\\d{3})", "$2 $1"));
            assertThat(hw.find()).as(d.instruction()).isTrue();
            String expected = FactChecks.recommendedSize(d.input(), Integer.parseInt(hw.group(1)), Integer.parseInt(hw.group(2)));
            Matcher size = advised.matcher(d.output());
            assertThat(size.find()).as(d.output()).isTrue();
            assertThat(size.group(1)).as(d.id() + " " + d.instruction()).isEqualTo(expected);
            checked++;
        }
        assertThat(checked).isGreaterThan(70);
    }

    @Test
    void toneIsWarmAndNeverMakesABannedClaim() {
        for (ShopDialog d : all()) {
            assertThat(BannedClaims.find(d.output())).as(d.id() + ": " + d.output()).isEmpty();
            assertThat(d.output()).as(d.id()).containsAnyOf("亲亲", "宝子");
            assertThat(d.output().length()).as(d.id()).isLessThanOrEqualTo(120);
            assertThat(d.system()).isEqualTo(ShopPrompt.persona("栀语女装"));
        }
    }

    @Test
    void complaintsAndRequestsForAPersonAreHandedOff() {
        for (ShopDialog d : all()) {
            boolean handoffIntent = d.intent().equals("complaint") || d.intent().equals("human_request");
            if (handoffIntent) {
                assertThat(d.strategy()).isEqualTo(Intent.HANDOFF);
                assertThat(d.output()).contains("人工客服同事");
            }
            if (d.intent().equals("hesitation")) {
                assertThat(d.strategy()).isEqualTo("gentle_nudge");
                assertThat(d.output()).doesNotContain("赶紧", "马上就没", "错过");
            }
        }
    }

    @Test
    void outOfStockAnswersOfferRestockOrAnAlternative() {
        long soldOut = all().stream().filter(d -> d.output().contains("暂时缺货")).count();
        assertThat(soldOut).isGreaterThan(15);
        assertThat(all().stream().filter(d -> "suggest_alternative".equals(d.strategy()))).isNotEmpty();
    }

    @Test
    void jsonLinesHaveAFixedKeyOrderAndUnescapedChinese() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        List<String> lines = Files.readAllLines(SampleShop.dir().resolve("train.jsonl"));
        for (String line : lines) {
            assertThat(line).doesNotContain("\\u");
            JsonNode node = mapper.readTree(line);
            List<String> keys = new ArrayList<>();
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                keys.add(it.next());
            }
            assertThat(keys).containsExactly("system", "instruction", "input", "output", "intent", "strategy", "id");
        }
    }

    @Test
    void sameSeedSameDialogsOtherSeedOtherDialogs() {
        DialogGenerator.Config small = DialogGenerator.Config.builder().trainCount(60).testCount(20).seed(5).build();
        DialogGenerator.Generated a = new DialogGenerator(small).generate(catalog);
        DialogGenerator.Generated b = new DialogGenerator(small).generate(catalog);
        DialogGenerator.Generated c = new DialogGenerator(DialogGenerator.Config.builder().trainCount(60).testCount(20).seed(6).build())
                .generate(catalog);
        assertThat(a).isEqualTo(b);
        assertThat(a.train()).isNotEqualTo(c.train());
    }

    @Test
    void allocatesCountsInProportionToWeights() {
        assertThat(DialogGenerator.allocate(600, DialogGenerator.DEFAULT_WEIGHTS).get(Intent.STOCK_SIZE)).isEqualTo(90);
        assertThat(DialogGenerator.allocate(130, DialogGenerator.DEFAULT_WEIGHTS).values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(130);
    }

    private static List<ShopDialog> all() {
        List<ShopDialog> all = new ArrayList<>(generated.train());
        all.addAll(generated.test());
        return all;
    }
}
