package io.kefu.shop.augment;

import io.kefu.shop.Intent;
import io.kefu.shop.ShopDialog;
import io.kefu.data.Provenance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Pairs each dialog's good answer with a bad one kept as {@code rejected}, for preference training
 * (the article's 不知道 -> 我帮您查一下). The bad answer is of one {@link Kind}: evasive (不知道),
 * pushy (high-pressure selling), an absolute claim that advertising rules ban (全网最低价), or a
 * refused hand-off for complaints and requests for a person.
 */
public final class NegativeSampler {
    /** The provenance method of dialogs with a rejected answer. */
    public static final String METHOD = "negative";

    /** What makes a rejected answer bad. */
    public enum Kind {
        /** Does not answer: 不知道, 自己看详情页. */
        EVASIVE(List.of("不知道。", "这个我也不清楚,您自己看详情页吧。", "不太清楚,您问别人吧。", "没法回答。")),
        /** Pressures the customer. */
        PUSHY(List.of("赶紧下单吧,马上就抢光了,错过就没了!", "别犹豫了,现在不买以后就买不到了!",
                "还考虑什么,今天不下单就亏大了!")),
        /** Makes a banned absolute claim. */
        ABSOLUTE_CLAIM(List.of("放心买,全网最低价,质量绝对第一!", "我们家是全网最低,百分百最好的,闭眼入!",
                "这款是国家级品质,销量第一,买到就是赚到!")),
        /** Refuses to hand a complaint or a request for a person to a human colleague. */
        REFUSED_HANDOFF(List.of("这不是我们的问题,您自己看着办吧。", "没有人工客服,有事跟我说就行。",
                "这种情况不归我们管。"));

        private final List<String> answers;

        Kind(List<String> answers) {
            this.answers = answers;
        }

        /** @return the bad answers of this kind */
        public List<String> answers() {
            return answers;
        }
    }

    /**
     * @return each dialog with a rejected answer, in input order; ids are {@code <source id>~neg},
     *     provenance is {@code negative(<source id>)} with the kind as detail (e.g. {@code evasive})
     */
    public List<ShopDialog> sample(List<ShopDialog> dialogs, long seed) {
        Random random = new Random(seed);
        List<ShopDialog> out = new ArrayList<>(dialogs.size());
        for (ShopDialog dialog : dialogs) {
            Kind kind = kindFor(dialog.intent(), random);
            String rejected = kind.answers().get(random.nextInt(kind.answers().size()));
            out.add(dialog.withRejected(dialog.id() + "~neg", rejected,
                    new Provenance(METHOD, dialog.id(), 0, kind.name().toLowerCase(java.util.Locale.ROOT))));
        }
        return out;
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
            return random.nextBoolean() ? Kind.ABSOLUTE_CLAIM : Kind.EVASIVE;
        }
        return random.nextInt(3) == 0 ? Kind.ABSOLUTE_CLAIM : Kind.EVASIVE;
    }
}
