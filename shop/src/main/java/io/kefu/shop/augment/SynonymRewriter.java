package io.kefu.shop.augment;

import io.kefu.shop.ShopDialog;
import io.kefu.data.Provenance;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Rewrites customer questions with a {@link SynonymLexicon}: for each dialog whose question holds a
 * rule's pattern, one applicable rule and one of its replacements are drawn with the seed and the
 * first occurrence is replaced. The facts and the answer stay as they are. The same dialogs and
 * seed always give the same rewrites.
 */
public final class SynonymRewriter {
    /** The provenance method of rewritten dialogs. */
    public static final String METHOD = "synonym";

    private final SynonymLexicon lexicon;

    /** @param lexicon the rules to apply */
    public SynonymRewriter(SynonymLexicon lexicon) {
        this.lexicon = Objects.requireNonNull(lexicon, "lexicon");
    }

    /**
     * @return one rewritten dialog per dialog that a rule applies to, in input order; ids are
     *     {@code <source id>~syn}, provenance is {@code synonym(<source id>)} with detail {@code 有货吗->还有库存吗}
     */
    public List<ShopDialog> rewrite(List<ShopDialog> dialogs, long seed) {
        Random random = new Random(seed);
        List<ShopDialog> out = new ArrayList<>();
        for (ShopDialog dialog : dialogs) {
            List<SynonymLexicon.Rule> rules = lexicon.applicableTo(dialog.instruction());
            if (rules.isEmpty()) {
                continue;
            }
            SynonymLexicon.Rule rule = rules.get(random.nextInt(rules.size()));
            String replacement = rule.replacements().get(random.nextInt(rule.replacements().size()));
            String question = dialog.instruction().replaceFirst(java.util.regex.Pattern.quote(rule.pattern()),
                    java.util.regex.Matcher.quoteReplacement(replacement));
            out.add(dialog.withInstruction(dialog.id() + "~syn", question,
                    new Provenance(METHOD, dialog.id(), 0, rule.pattern() + "->" + replacement)));
        }
        return out;
    }
}
