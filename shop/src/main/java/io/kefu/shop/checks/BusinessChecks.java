package io.kefu.shop.checks;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.shop.BannedClaims;
import io.kefu.shop.BoundedNumbers;
import io.kefu.shop.GarmentVocabulary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks one answer against the shop facts of its prompt and the expected intent/strategy: stock
 * and size claims, money amounts, promotions, banned absolute claims, hand-off, strategy, length.
 * Immutable and thread-safe; build with {@link #builder()}.
 *
 * <p>Defaults: banned claims = {@link BannedClaims#DEFAULT} (最低价, 全网最低, 第一, 最佳, 国家级,
 * 100% ...); hand-off cues 人工, 转接, 专员; hand-off expected for strategy {@code handoff} and
 * intents {@code complaint}, {@code human_request}; strategy cues: {@code gentle_nudge}
 * (hesitation: lower the decision risk) = 退换, 退货, 无理由, 运费险, 换码, 换尺码, 包退, 包换;
 * {@code confirm_stock} = 有货, 现货, 库存, 还有, 有的; {@code low_stock} = 剩, 不多, 抓紧; {@code restock_notice}
 * = 补货, 到货; {@code promotion} = 满, 券, 减; {@code size_recommend} = 码; {@code handoff} = the
 * hand-off cues; {@code maxLength} = 200 characters. An answer is evasive when it says 不知道, 不清楚,
 * 没法回答, 自己看 or 问别人 and does not hand off.
 */
public final class BusinessChecks {
    private static final Pattern CLAUSE = Pattern.compile("[，。！？；,!?;\\n]");
    private static final Pattern NEGATIVE = Pattern.compile("缺货|没货|售罄|无货|没有了|卖完|断码|暂时没有|没有货|卖光");
    private static final Pattern POSITIVE = Pattern.compile("有货|现货|有的|还有|还剩|仅剩|只剩|充足|可以拍|能拍|可以下单|有库存|在售|有\\d");
    private static final Pattern QUANTITY = Pattern.compile("(\\d+)\\s*件");
    private static final Pattern AMOUNT = Pattern.compile("(?:¥|￥)\\s*(\\d+(?:\\.\\d+)?)|(\\d+(?:\\.\\d+)?)\\s*(?:元|块)");
    private static final Pattern FULL_REDUCTION = Pattern.compile("满\\s*(\\d+)\\s*元?\\s*减\\s*(\\d+)");
    private static final Pattern NO_THRESHOLD = Pattern.compile("无门槛\\s*(\\d+)\\s*元?");
    private static final Pattern COUPON_AMOUNT = Pattern.compile("(\\d+)\\s*元(?:优惠)?(?:券|红包)");
    private static final Pattern DISCOUNT = Pattern.compile("(\\d+(?:\\.\\d)?)\\s*折|[一二三四五六七八九]折");
    private static final Pattern PRICE_WORD = Pattern.compile("价|只要|仅需|只需|到手|现在|卖|才");
    private static final Pattern EVASION = Pattern.compile("不知道|不清楚|没法回答|自己看|问别人");
    private static final Pattern PROMOTION_WORD = Pattern.compile("优惠券|券|红包|折扣|优惠码|返现|立减");

    private final List<String> bannedClaims;
    private final List<String> handoffCues;
    private final Set<String> handoffIntents;
    private final Map<String, List<String>> strategyCues;
    private final int maxLength;

    private BusinessChecks(Builder b) {
        this.bannedClaims = List.copyOf(b.bannedClaims);
        this.handoffCues = List.copyOf(b.handoffCues);
        this.handoffIntents = Set.copyOf(b.handoffIntents);
        this.strategyCues = Map.copyOf(b.strategyCues);
        this.maxLength = b.maxLength;
    }

    /** @return the checks with every default listed in the class javadoc */
    public static BusinessChecks defaults() {
        return builder().build();
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the banned claims */
    public List<String> bannedClaims() {
        return bannedClaims;
    }

    /**
     * @param answer the answer to check
     * @param facts the facts of its prompt, or null when the prompt had none (fact checks are skipped)
     * @param intent the example's intent, or null
     * @param strategy the reference answer's strategy, or null
     */
    public CheckResult check(String answer, FactsText facts, String intent, String strategy) {
        List<Finding> findings = new ArrayList<>();
        int length = answer.codePointCount(0, answer.length());
        if (answer.isBlank()) {
            findings.add(new Finding(Finding.Kind.EMPTY, "the answer is empty"));
        }
        if (length > maxLength) {
            findings.add(new Finding(Finding.Kind.TOO_LONG, length + " characters, more than " + maxLength));
        }
        for (String banned : bannedClaims) {
            if (answer.contains(banned)) {
                findings.add(new Finding(Finding.Kind.BANNED_CLAIM, "uses the banned claim '" + banned + "'"));
            }
        }
        if (facts != null) {
            checkStock(answer, facts, findings);
            checkMoney(answer, facts, findings);
        }
        boolean handoffGiven = handoffCues.stream().anyMatch(answer::contains);
        boolean handoffExpected = "handoff".equals(strategy) || (intent != null && handoffIntents.contains(intent));
        Matcher evasion = EVASION.matcher(answer);
        if (evasion.find() && !handoffGiven) {
            findings.add(new Finding(Finding.Kind.EVASIVE, "says '" + evasion.group() + "' instead of answering or handing off"));
        }
        if (handoffExpected && !handoffGiven) {
            findings.add(new Finding(Finding.Kind.MISSING_HANDOFF, "a " + (intent == null ? strategy : intent)
                    + " question needs a human, the answer does not hand off"));
        } else if (handoffGiven && !handoffExpected && strategy != null) {
            findings.add(new Finding(Finding.Kind.UNNEEDED_HANDOFF, "hands off a question the reference answers itself ("
                    + strategy + ")"));
        }
        Boolean followed = null;
        List<String> cues = strategy == null ? null : strategyCues.get(strategy);
        if (cues != null && !cues.isEmpty()) {
            followed = cues.stream().anyMatch(answer::contains);
            if (!followed) {
                findings.add(new Finding(Finding.Kind.STRATEGY_MISSED, "strategy " + strategy + " expects one of " + cues));
            }
        }
        return new CheckResult(findings, facts != null, handoffExpected, handoffGiven, followed, length);
    }

    private static void checkStock(String answer, FactsText facts, List<Finding> findings) {
        if (facts.stock().isEmpty()) {
            return;
        }
        Set<String> sizes = facts.sizes();
        for (String clause : CLAUSE.split(answer)) {
            List<String> mentioned = GarmentVocabulary.findSizes(clause, false);
            if (mentioned.isEmpty()) {
                continue;
            }
            boolean negative = NEGATIVE.matcher(clause).find();
            boolean positive = !negative && POSITIVE.matcher(clause).find();
            if (!negative && !positive) {
                continue;
            }
            List<String> colours = facts.stock().keySet().stream().filter(c -> !c.isEmpty() && clause.contains(c)).toList();
            if (colours.isEmpty()) {
                colours = new ArrayList<>(facts.stock().keySet());
            }
            Matcher quantity = QUANTITY.matcher(clause);
            OptionalInt quantityRead = quantity.find() ? BoundedNumbers.integer(quantity.group(1)) : OptionalInt.empty();
            Integer claimed = quantityRead.isPresent() ? quantityRead.getAsInt() : null;
            for (String s : mentioned) {
                if (!sizes.contains(s)) {
                    if (positive) {
                        findings.add(new Finding(Finding.Kind.UNKNOWN_SIZE, "offers size " + s + "; the product comes in " + sizes));
                    }
                    continue;
                }
                List<Integer> units = new ArrayList<>();
                for (String c : colours) {
                    units.add(facts.stock().get(c).getOrDefault(s, 0));
                }
                boolean anyInStock = units.stream().anyMatch(u -> u > 0);
                boolean allInStock = units.stream().allMatch(u -> u > 0);
                String where = "size " + s + (colours.size() == 1 && !colours.get(0).isEmpty() ? " in " + colours.get(0) : "");
                if (positive && !anyInStock) {
                    findings.add(new Finding(Finding.Kind.WRONG_STOCK, "says " + where + " is in stock; the facts say 0"));
                } else if (negative && allInStock) {
                    findings.add(new Finding(Finding.Kind.WRONG_STOCK, "says " + where + " is out of stock; the facts say " + units));
                } else if (positive && claimed != null && mentioned.size() == 1 && !units.contains(claimed)) {
                    findings.add(new Finding(Finding.Kind.WRONG_STOCK, "says " + claimed + " left of " + where + "; the facts say " + units));
                }
            }
        }
    }

    private static void checkMoney(String answer, FactsText facts, List<Finding> findings) {
        Set<Double> allowed = facts.allowedAmounts();
        List<FactsText.Promotion> promotions = facts.promotions();
        String rest = answer;
        Matcher full = FULL_REDUCTION.matcher(answer);
        while (full.find()) {
            OptionalInt threshold = BoundedNumbers.integer(full.group(1));
            OptionalInt off = BoundedNumbers.integer(full.group(2));
            boolean known = threshold.isPresent() && off.isPresent()
                    && promotions.stream().anyMatch(p -> p.matches(threshold.getAsInt(), off.getAsInt()));
            if (!known) {
                findings.add(new Finding(Finding.Kind.INVENTED_PROMOTION, "mentions 满" + full.group(1) + "减" + full.group(2)
                        + "; the facts list " + describe(promotions)));
            }
        }
        rest = FULL_REDUCTION.matcher(rest).replaceAll(" ");
        Matcher free = NO_THRESHOLD.matcher(rest);
        while (free.find()) {
            OptionalInt off = BoundedNumbers.integer(free.group(1));
            if (off.isEmpty() || promotions.stream().noneMatch(p -> p.matches(0, off.getAsInt()))) {
                findings.add(new Finding(Finding.Kind.INVENTED_PROMOTION, "mentions a 无门槛" + free.group(1) + "元 coupon; the facts list "
                        + describe(promotions)));
            }
        }
        rest = NO_THRESHOLD.matcher(rest).replaceAll(" ");
        Matcher coupon = COUPON_AMOUNT.matcher(rest);
        while (coupon.find()) {
            OptionalInt amount = BoundedNumbers.integer(coupon.group(1));
            if (amount.isEmpty() || promotions.stream().noneMatch(p -> p.coupon() && p.amount() == amount.getAsInt())) {
                findings.add(new Finding(Finding.Kind.INVENTED_PROMOTION, "mentions a " + coupon.group(1) + "元 coupon; the facts list "
                        + describe(promotions)));
            }
        }
        Matcher discount = DISCOUNT.matcher(rest);
        while (discount.find()) {
            if (!facts.text().contains(discount.group())) {
                findings.add(new Finding(Finding.Kind.INVENTED_PROMOTION, "mentions a discount '" + discount.group()
                        + "'; the facts list " + describe(promotions)));
            }
        }
        if (promotions.isEmpty() && PROMOTION_WORD.matcher(answer).find() && findings.stream()
                .noneMatch(f -> f.kind() == Finding.Kind.INVENTED_PROMOTION)) {
            Matcher w = PROMOTION_WORD.matcher(answer);
            w.find();
            String context = answer.substring(Math.max(0, w.start() - 6), Math.min(answer.length(), w.end() + 6));
            if (!context.contains("没有") && !context.contains("暂无") && !context.contains("不")) {
                findings.add(new Finding(Finding.Kind.INVENTED_PROMOTION, "mentions '" + w.group() + "' but the facts list no promotion"));
            }
        }
        Set<Double> prices = facts.priceAmounts();
        Matcher amount = AMOUNT.matcher(rest);
        while (amount.find()) {
            OptionalDouble value = BoundedNumbers.amount(amount.group(1) != null ? amount.group(1) : amount.group(2));
            String before = rest.substring(Math.max(0, amount.start() - 4), amount.start());
            boolean quotedAsPrice = PRICE_WORD.matcher(before).find();
            if (value.isEmpty() || (quotedAsPrice ? !prices.contains(value.getAsDouble()) : !allowed.contains(value.getAsDouble()))) {
                findings.add(new Finding(Finding.Kind.WRONG_PRICE, "quotes " + amount.group().trim()
                        + "; the facts have " + (facts.price() > 0 ? "price " + fmt(facts.price()) + "元, " : "")
                        + "promotions " + describe(promotions)));
            }
        }
    }

    private static String describe(List<FactsText.Promotion> promotions) {
        if (promotions.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        for (FactsText.Promotion p : promotions) {
            parts.add(p.threshold() == 0 ? "无门槛" + p.amount() + "元券" : "满" + p.threshold() + "减" + p.amount() + (p.coupon() ? "券" : ""));
        }
        return String.join(", ", parts);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** Builds {@link BusinessChecks}; every setting has the default stated on the class. */
    public static final class Builder {
        private List<String> bannedClaims = BannedClaims.DEFAULT;
        private List<String> handoffCues = List.of("人工", "转接", "专员");
        private Set<String> handoffIntents = Set.of("complaint", "human_request");
        private final Map<String, List<String>> strategyCues = new LinkedHashMap<>();
        private int maxLength = 200;

        private Builder() {
            strategyCues.put("gentle_nudge", List.of("退换", "退货", "无理由", "运费险", "换码", "换尺码", "包退", "包换"));
            strategyCues.put("confirm_stock", List.of("有货", "现货", "库存", "还有", "有的"));
            strategyCues.put("low_stock", List.of("剩", "不多", "抓紧"));
            strategyCues.put("restock_notice", List.of("补货", "到货"));
            strategyCues.put("promotion", List.of("满", "券", "减"));
            strategyCues.put("size_recommend", List.of("码"));
            strategyCues.put("handoff", List.of("人工", "转接", "专员"));
        }

        /** @param value the banned absolute claims (default {@link BannedClaims#DEFAULT}) */
        public Builder bannedClaims(List<String> value) {
            this.bannedClaims = List.copyOf(Objects.requireNonNull(value, "bannedClaims"));
            return this;
        }

        /** @param value words that show a hand-off to a person (default 人工, 转接, 专员) */
        public Builder handoffCues(List<String> value) {
            this.handoffCues = List.copyOf(Objects.requireNonNull(value, "handoffCues"));
            return this;
        }

        /** @param value intents that always need a person (default complaint, human_request) */
        public Builder handoffIntents(Set<String> value) {
            this.handoffIntents = Set.copyOf(Objects.requireNonNull(value, "handoffIntents"));
            return this;
        }

        /** Sets (or, with an empty list, removes) the cues that show a strategy was followed. */
        public Builder strategyCues(String strategy, List<String> cues) {
            if (cues.isEmpty()) {
                strategyCues.remove(strategy);
            } else {
                strategyCues.put(strategy, List.copyOf(cues));
            }
            return this;
        }

        /** @param value the longest acceptable answer in characters (default 200) */
        public Builder maxLength(int value) {
            this.maxLength = value;
            return this;
        }

        /** @throws KefuException {@link ErrorCode#INVALID_CONFIG} when maxLength is not positive or a list holds a blank entry */
        public BusinessChecks build() {
            if (maxLength < 1) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "maxLength=" + maxLength + " must be at least 1");
            }
            for (String s : bannedClaims) {
                if (s.isBlank()) {
                    throw new KefuException(ErrorCode.INVALID_CONFIG, "bannedClaims: contains a blank entry");
                }
            }
            for (String s : handoffCues) {
                if (s.isBlank()) {
                    throw new KefuException(ErrorCode.INVALID_CONFIG, "handoffCues: contains a blank entry");
                }
            }
            return new BusinessChecks(this);
        }
    }
}
