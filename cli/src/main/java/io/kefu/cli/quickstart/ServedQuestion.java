package io.kefu.cli.quickstart;

import io.kefu.shop.FactsRenderer;
import io.kefu.shop.ShopCatalog;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A held-out question to ask the running server, as a shop's page would: the customer's words and
 * the product the conversation is about (the {@code 编号NNNN} in the example's facts); the server
 * adds the live facts itself.
 *
 * @param intent the example's intent
 * @param question the customer's words, without the facts block
 * @param productId the product's id in the shop catalog
 * @param reference the held-out reference answer
 * @param source where the example is (file:line)
 */
record ServedQuestion(String intent, String question, String productId, String reference, String source) {
    private static final Pattern PRODUCT_ID = Pattern.compile("编号([A-Za-z0-9_-]+)");

    /**
     * Picks up to {@code count} examples of different intents, deterministically: for each intent, its
     * first example (in file order) about a product of the catalog; the preferred intents first, in
     * their order, then the other intents in the order they first appear.
     */
    static List<ServedQuestion> pick(Dataset test, ShopCatalog catalog, List<String> preferredIntents, int count) {
        Map<String, ServedQuestion> firstByIntent = new LinkedHashMap<>();
        for (Example e : test.examples()) {
            if (e.intent() != null && !firstByIntent.containsKey(e.intent())) {
                of(e).filter(q -> catalog.product(q.productId()).isPresent()).ifPresent(q -> firstByIntent.put(q.intent(), q));
            }
        }
        List<ServedQuestion> picked = new ArrayList<>();
        for (String intent : preferredIntents) {
            if (picked.size() < count && firstByIntent.containsKey(intent)) {
                picked.add(firstByIntent.remove(intent));
            }
        }
        for (ServedQuestion q : firstByIntent.values()) {
            if (picked.size() < count) {
                picked.add(q);
            }
        }
        return picked;
    }

    /** @return the question of an example whose last user message holds a question and facts naming a product */
    static Optional<ServedQuestion> of(Example e) {
        Optional<String> userMessage = e.question();
        if (userMessage.isEmpty() || e.answer().isEmpty()) {
            return Optional.empty();
        }
        String text = userMessage.get();
        int facts = text.indexOf(FactsRenderer.HEADER);
        Matcher id = PRODUCT_ID.matcher(text);
        if (facts <= 0 || !id.find(facts)) {
            return Optional.empty();
        }
        String question = text.substring(0, facts).strip();
        if (question.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ServedQuestion(e.intent(), question, id.group(1), e.answer().get(), e.provenance().location()));
    }
}
