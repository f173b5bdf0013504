package io.kefu.shop.augment;

import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.GenerationParameters;
import io.kefu.data.Provenance;
import io.kefu.shop.Intent;
import io.kefu.shop.ShopDialog;
import io.kefu.shop.checks.BusinessChecks;
import io.kefu.shop.checks.CheckResult;
import io.kefu.shop.checks.FactsText;
import io.kefu.shop.checks.Finding;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Pairs each dialog's good answer with a bad one kept as {@code rejected}, for preference training
 * (the article's 不知道 -> 我帮您查一下). Each {@link Kind} of mistake has a generator; the ones the
 * business checks can see (all but {@link Kind#PUSHY}) are kept only when {@link BusinessChecks}
 * flags the bad answer for that mistake and not the good one, so every pair teaches the difference
 * it is meant to. Stock and promotion mistakes are written against the dialog's own facts: a size
 * the table lists at 0 offered as in stock, a promotion the facts do not list.
 *
 * <p>{@link #mine} learns the mistakes from a model instead: it samples the model's own answers to the
 * dialogs' questions and keeps one the checks flag, so the pairs target what that model gets wrong
 * (on-policy negatives, which move a preference-trained model more than written ones).
 */
public final class NegativeSampler {
    /** The provenance method of dialogs with a rejected answer. */
    public static final String METHOD = "negative";

    private static final int[] THRESHOLDS = {99, 129, 159, 199, 249, 299, 399};
    private static final int[] AMOUNTS = {10, 15, 20, 30, 40, 50, 60, 80};

    /** What makes a rejected answer bad. */
    public enum Kind {
        /** Does not answer: 不知道, 自己看详情页. */
        EVASIVE(Finding.Kind.EVASIVE, List.of("不知道。", "这个我也不清楚,您自己看详情页吧。", "不太清楚,您问别人吧。", "没法回答。")),
        /** Pressures the customer. */
        PUSHY(null, List.of("赶紧下单吧,马上就抢光了,错过就没了!", "别犹豫了,现在不买以后就买不到了!",
                "还考虑什么,今天不下单就亏大了!")),
        /** Makes a banned absolute claim. */
        ABSOLUTE_CLAIM(Finding.Kind.BANNED_CLAIM, List.of("放心买,全网最低价,质量绝对第一!", "我们家是全网最低,百分百最好的,闭眼入!",
                "这款是国家级品质,销量第一,买到就是赚到!")),
        /** Refuses to hand a complaint or a request for a person to a human colleague: the missing hand-off. */
        REFUSED_HANDOFF(Finding.Kind.MISSING_HANDOFF, List.of("这不是我们的问题,您自己看着办吧。", "没有人工客服,有事跟我说就行。",
                "这种情况不归我们管。")),
        /**
         * Gets the stock wrong: offers a size the facts list at 0 ({@code {colour}} and {@code {size}}
         * filled in), or calls a size sold out that every colour has.
         */
        WRONG_STOCK(Finding.Kind.WRONG_STOCK, List.of("有的哦,{colour}{size}码有货,放心拍~", "亲,{colour}{size}码还有现货,可以直接下单哦!",
                "不好意思,{size}码已经卖完了,暂时没有货哦。")),
        /** Promises a promotion the facts do not list ({@code {threshold}}, {@code {amount}}, {@code {coupon}} filled in). */
        UNFOUNDED_PROMISE(Finding.Kind.INVENTED_PROMOTION, List.of("亲,现在下单满{threshold}减{amount},再送您一张无门槛{coupon}元券哦~",
                "今天有满{threshold}减{amount}的活动,拍下自动减哦!", "给您申请了一张无门槛{coupon}元券,下单就能用~"));

        private final Finding.Kind finding;
        private final List<String> answers;

        Kind(Finding.Kind finding, List<String> answers) {
            this.finding = finding;
            this.answers = answers;
        }

        /** @return the bad answers of this kind; {@code {name}} marks a place filled from the dialog's facts */
        public List<String> answers() {
            return answers;
        }

        /** @return what the business checks report for this mistake, or empty when they cannot see it */
        public Optional<Finding.Kind> finding() {
            return Optional.ofNullable(finding);
        }
    }

    private final BusinessChecks checks;

    /** A sampler that keeps the pairs {@link BusinessChecks#defaults()} tells apart. */
    public NegativeSampler() {
        this(BusinessChecks.defaults());
    }

    /** A sampler that keeps the pairs these checks tell apart. */
    public NegativeSampler(BusinessChecks checks) {
        this.checks = checks;
    }

    /**
     * @return each dialog with a rejected answer, in input order; ids are {@code <source id>~neg},
     *     provenance is {@code negative(<source id>)} with the kind as detail (e.g. {@code evasive})
     */
    public List<ShopDialog> sample(List<ShopDialog> dialogs, long seed) {
        Random random = new Random(seed);
        List<ShopDialog> out = new ArrayList<>(dialogs.size());
        for (ShopDialog dialog : dialogs) {
            FactsText facts = dialog.input().contains(FactsText.HEADER) ? FactsText.parse(dialog.input()) : null;
            Kind kind = kindFor(dialog.intent(), random);
            Optional<String> rejected = usefulAnswer(kind, dialog, facts, random);
            if (rejected.isEmpty()) {
                // the facts leave no room for this mistake, or the good answer makes it too
                kind = kind == Kind.EVASIVE ? Kind.PUSHY : Kind.EVASIVE;
                rejected = usefulAnswer(kind, dialog, facts, random);
                if (rejected.isEmpty()) {
                    kind = Kind.PUSHY;
                    rejected = usefulAnswer(kind, dialog, facts, random);
                }
            }
            out.add(dialog.withRejected(dialog.id() + "~neg", rejected.orElseThrow(),
                    new Provenance(METHOD, dialog.id(), 0, kind.name().toLowerCase(Locale.ROOT))));
        }
        return out;
    }

    /**
     * Pairs each dialog with a bad answer of the model's own: up to {@code samples} answers are sampled
     * (temperature 0.8, top 20, seeded) and the first that the checks flag for a mistake of a
     * {@link Kind} (and not the good answer) is kept, with provenance detail {@code model_<finding>}
     * (e.g. {@code model_invented_promotion}). Dialogs where the model makes no such mistake get a
     * written one, as {@link #sample} does.
     */
    public List<ShopDialog> mine(ChatModel model, List<ShopDialog> dialogs, int samples, long seed) {
        Set<Finding.Kind> mistakes = EnumSet.noneOf(Finding.Kind.class);
        for (Kind k : Kind.values()) {
            k.finding().ifPresent(mistakes::add);
        }
        List<ShopDialog> written = sample(dialogs, seed);
        List<ShopDialog> out = new ArrayList<>(dialogs.size());
        for (int i = 0; i < dialogs.size(); i++) {
            out.add(modelMistake(model, dialogs.get(i), mistakes, samples, seed * 1_000_003L + (long) i * samples)
                    .orElse(written.get(i)));
        }
        return out;
    }

    /** @return the dialog with the first of its sampled answers that the checks flag for a mistake, or empty */
    private Optional<ShopDialog> modelMistake(ChatModel model, ShopDialog dialog, Set<Finding.Kind> mistakes, int samples,
                                              long firstSeed) {
        FactsText facts = dialog.input().contains(FactsText.HEADER) ? FactsText.parse(dialog.input()) : null;
        CheckResult good = checks.check(dialog.output(), facts, dialog.intent(), dialog.strategy());
        for (int k = 0; k < samples; k++) {
            GenerationParameters parameters = GenerationParameters.builder().maxNewTokens(64).temperature(0.8).topK(20)
                    .seed(firstSeed + k).build();
            String answer = model.chat(ChatRequest.builder().messages(dialog.toExample().prompt()).parameters(parameters).build())
                    .text();
            Optional<Finding.Kind> mistake = checks.check(answer, facts, dialog.intent(), dialog.strategy()).findings().stream()
                    .map(Finding::kind).filter(f -> mistakes.contains(f) && !good.has(f)).findFirst();
            if (mistake.isPresent() && !answer.equals(dialog.output())) {
                return Optional.of(dialog.withRejected(dialog.id() + "~neg", answer, new Provenance(METHOD, dialog.id(), 0,
                        "model_" + mistake.get().name().toLowerCase(Locale.ROOT))));
            }
        }
        return Optional.empty();
    }

    /** @return a bad answer of this kind that the checks flag for it (and not the good answer), or empty */
    Optional<String> usefulAnswer(Kind kind, ShopDialog dialog, FactsText facts, Random random) {
        Optional<String> answer = generate(kind, facts, random);
        if (answer.isEmpty() || kind.finding().isEmpty()) {
            return answer;
        }
        Finding.Kind expected = kind.finding().get();
        boolean badFlagged = checks.check(answer.get(), facts, dialog.intent(), dialog.strategy()).has(expected);
        boolean goodClean = !checks.check(dialog.output(), facts, dialog.intent(), dialog.strategy()).has(expected);
        return badFlagged && goodClean ? answer : Optional.empty();
    }

    /** Writes a bad answer of a kind, filled from the facts where it needs them; empty when they leave no room for it. */
    static Optional<String> generate(Kind kind, FactsText facts, Random random) {
        return switch (kind) {
            case WRONG_STOCK -> wrongStock(facts, random);
            case UNFOUNDED_PROMISE -> unfoundedPromise(facts, random);
            default -> Optional.of(kind.answers().get(random.nextInt(kind.answers().size())));
        };
    }

    private static Optional<String> wrongStock(FactsText facts, Random random) {
        if (facts == null || facts.stock().isEmpty()) {
            return Optional.empty();
        }
        List<String[]> soldOut = new ArrayList<>();
        for (Map.Entry<String, Map<String, Integer>> colour : facts.stock().entrySet()) {
            colour.getValue().forEach((size, units) -> {
                if (units == 0) {
                    soldOut.add(new String[] {colour.getKey(), size});
                }
            });
        }
        List<String> everywhere = new ArrayList<>();
        for (String size : facts.sizes()) {
            if (facts.stock().values().stream().allMatch(m -> m.getOrDefault(size, 0) > 0)) {
                everywhere.add(size);
            }
        }
        List<String> templates = Kind.WRONG_STOCK.answers();
        if (!soldOut.isEmpty() && (everywhere.isEmpty() || random.nextBoolean())) {
            String[] pick = soldOut.get(random.nextInt(soldOut.size()));
            return Optional.of(templates.get(random.nextInt(2)).replace("{colour}", pick[0]).replace("{size}", pick[1]));
        }
        if (!everywhere.isEmpty()) {
            return Optional.of(templates.get(2).replace("{size}", everywhere.get(random.nextInt(everywhere.size()))));
        }
        return Optional.empty();
    }

    private static Optional<String> unfoundedPromise(FactsText facts, Random random) {
        int threshold;
        int amount;
        do {
            threshold = THRESHOLDS[random.nextInt(THRESHOLDS.length)];
            amount = AMOUNTS[random.nextInt(AMOUNTS.length)];
        } while (listed(facts, threshold, amount));
        int coupon;
        do {
            coupon = AMOUNTS[random.nextInt(AMOUNTS.length)];
        } while (listed(facts, 0, coupon));
        List<String> templates = Kind.UNFOUNDED_PROMISE.answers();
        return Optional.of(templates.get(random.nextInt(templates.size())).replace("{threshold}", Integer.toString(threshold))
                .replace("{amount}", Integer.toString(amount)).replace("{coupon}", Integer.toString(coupon)));
    }

    private static boolean listed(FactsText facts, int threshold, int amount) {
        return facts != null && facts.promotions().stream().anyMatch(p -> p.matches(threshold, amount));
    }

    /** Picks the kind of mistake a real customer-service rep is most likely to make for this intent. */
    static Kind kindFor(String intent, Random random) {
        if (Intent.COMPLAINT.wireName().equals(intent) || Intent.HUMAN_REQUEST.wireName().equals(intent)) {
            return Kind.REFUSED_HANDOFF;
        }
        if (Intent.HESITATION.wireName().equals(intent)) {
            return random.nextBoolean() ? Kind.PUSHY : Kind.ABSOLUTE_CLAIM;
        }
        if (Intent.PROMOTION.wireName().equals(intent)) {
            int pick = random.nextInt(3);
            return pick == 0 ? Kind.ABSOLUTE_CLAIM : pick == 1 ? Kind.UNFOUNDED_PROMISE : Kind.EVASIVE;
        }
        if (Intent.STOCK_SIZE.wireName().equals(intent)) {
            return random.nextBoolean() ? Kind.WRONG_STOCK : Kind.EVASIVE;
        }
        int pick = random.nextInt(4);
        return pick == 0 ? Kind.ABSOLUTE_CLAIM : pick == 1 ? Kind.UNFOUNDED_PROMISE : Kind.EVASIVE;
    }
}
