package io.kefu.shop.checks;

import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.Role;
import io.kefu.shop.BoundedNumbers;
import io.kefu.shop.FactsRenderer;
import io.kefu.shop.ProductFacts;
import io.kefu.shop.ShopPrompt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shop facts an answer is checked against, read back from the facts text that
 * {@code io.kefu.shop.FactsRenderer} puts into the prompt (the block starting with
 * {@code 【店铺信息】}). Only what the business checks need is kept: the product and its price, stock
 * per colour and size, the promotions, and the other money amounts the facts mention (delivery
 * surcharges, cash-on-delivery fee).
 *
 * @param product the product name, or empty when the facts have no product
 * @param price the product price in yuan, or 0 when there is no product
 * @param stock colour -> size -> units in stock, in the facts' order
 * @param promotions each promotion as threshold and amount (threshold 0 for no-threshold coupons)
 * @param otherAmounts other money amounts in yuan that the facts mention
 * @param text the facts text itself
 */
public record FactsText(String product, double price, Map<String, Map<String, Integer>> stock,
                        List<Promotion> promotions, Set<Double> otherAmounts, String text) {
    /** The first line of a rendered facts block. */
    public static final String HEADER = "【店铺信息】";

    private static final Pattern PRODUCT = Pattern.compile("^商品[:：](.+?)(?:[(（]编号[^)）]*[)）])?[,，]\\s*(\\d+(?:\\.\\d+)?)元");
    private static final Pattern SIZE_STOCK = Pattern.compile("([A-Za-z0-9]+)\\s*=\\s*(\\d+)");
    private static final Pattern PROMOTION = Pattern.compile("(?:满(\\d+)减(\\d+)(券)?|无门槛(\\d+)元券)");
    private static final Pattern YUAN = Pattern.compile("(\\d+(?:\\.\\d+)?)元");

    /**
     * A promotion: spend {@code threshold}, save {@code amount}.
     *
     * @param threshold yuan to spend (0 for a no-threshold coupon)
     * @param amount yuan saved
     * @param coupon whether it is a coupon to claim (满199减20券, 无门槛10元券) rather than an automatic reduction
     */
    public record Promotion(int threshold, int amount, boolean coupon) {
        /** @return whether it has this threshold and amount, coupon or not */
        public boolean matches(int threshold, int amount) {
            return this.threshold == threshold && this.amount == amount;
        }
    }

    /** Copies the collections. */
    public FactsText {
        stock = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stock));
        promotions = List.copyOf(promotions);
        otherAmounts = Set.copyOf(otherAmounts);
    }

    /** @return the facts of the shop data a caller read, as a prompt shows them */
    public static FactsText of(ProductFacts facts) {
        return parse(FactsRenderer.render(facts));
    }

    /**
     * The facts a request's answer is checked against: the {@link ProductFacts} attached to it (what
     * a server read from the shop's store, see {@link ShopPrompt#request}), else the facts block of
     * its last user message. The second is for prompts Kefu built from its own data (evaluation
     * sets), where {@link io.kefu.shop.CustomerText} keeps customer text from imitating the block;
     * anything serving customers attaches the facts.
     *
     * @return the facts, or empty when the request has neither
     */
    public static Optional<FactsText> of(ChatRequest request) {
        Optional<ProductFacts> attached = request.attachment(ProductFacts.class);
        return attached.isPresent() ? attached.map(FactsText::of) : fromPrompt(request.messages());
    }

    /** @return the facts in the last user message of a prompt, or empty when it has no facts block */
    public static Optional<FactsText> fromPrompt(List<ChatMessage> prompt) {
        for (int i = prompt.size() - 1; i >= 0; i--) {
            if (prompt.get(i).role() == Role.USER && prompt.get(i).content().contains(HEADER)) {
                return Optional.of(parse(prompt.get(i).content()));
            }
        }
        return Optional.empty();
    }

    /** @return the facts of a text that contains a facts block (text before the header is ignored) */
    public static FactsText parse(String text) {
        int start = text.indexOf(HEADER);
        String block = start >= 0 ? text.substring(start) : text;
        String product = "";
        double price = 0;
        Map<String, Map<String, Integer>> stock = new LinkedHashMap<>();
        List<Promotion> promotions = new ArrayList<>();
        Set<Double> other = new LinkedHashSet<>();
        for (String line : block.split("\n")) {
            String l = line.trim();
            Matcher m = PRODUCT.matcher(l);
            if (m.find()) {
                OptionalDouble read = BoundedNumbers.amount(m.group(2));
                if (read.isPresent()) {
                    product = m.group(1).trim();
                    price = read.getAsDouble();
                }
            } else if (l.startsWith("库存:") || l.startsWith("库存：")) {
                for (String colour : l.substring(3).split("[;；]")) {
                    String c = colour.trim();
                    int firstSize = c.indexOf(' ');
                    String name = firstSize > 0 ? c.substring(0, firstSize) : "";
                    Map<String, Integer> sizes = new LinkedHashMap<>();
                    Matcher s = SIZE_STOCK.matcher(c);
                    while (s.find()) {
                        OptionalInt units = BoundedNumbers.integer(s.group(2));
                        if (units.isPresent()) {
                            sizes.put(s.group(1).toUpperCase(java.util.Locale.ROOT), units.getAsInt());
                        }
                    }
                    if (!sizes.isEmpty()) {
                        stock.put(name, sizes);
                    }
                }
            } else if (l.startsWith("活动:") || l.startsWith("活动：")) {
                Matcher p = PROMOTION.matcher(l);
                while (p.find()) {
                    OptionalInt threshold = p.group(4) != null ? OptionalInt.of(0) : BoundedNumbers.integer(p.group(1));
                    OptionalInt amount = BoundedNumbers.integer(p.group(4) != null ? p.group(4) : p.group(2));
                    if (threshold.isPresent() && amount.isPresent()) {
                        promotions.add(new Promotion(threshold.getAsInt(), amount.getAsInt(), p.group(4) != null || p.group(3) != null));
                    }
                }
            } else {
                Matcher y = YUAN.matcher(l);
                while (y.find()) {
                    BoundedNumbers.amount(y.group(1)).ifPresent(other::add);
                }
            }
        }
        return new FactsText(product, price, stock, promotions, other, block);
    }

    /** @return every size in the stock table */
    public Set<String> sizes() {
        Set<String> sizes = new LinkedHashSet<>();
        stock.values().forEach(m -> sizes.addAll(m.keySet()));
        return sizes;
    }

    /** @return what the product may cost: the price, after each applicable promotion, and after all of them */
    public Set<Double> priceAmounts() {
        Set<Double> prices = new LinkedHashSet<>();
        if (price <= 0) {
            return prices;
        }
        prices.add(price);
        double allOff = price;
        for (Promotion p : promotions) {
            if (price >= p.threshold()) {
                prices.add(price - p.amount());
                allOff -= p.amount();
            }
        }
        prices.add(allOff);
        return prices;
    }

    /**
     * @return the money amounts an answer may quote: the price, promotion thresholds and amounts,
     *     the price after each applicable promotion and after all of them, and the other amounts
     */
    public Set<Double> allowedAmounts() {
        Set<Double> allowed = new LinkedHashSet<>(otherAmounts);
        if (price > 0) {
            allowed.add(price);
        }
        double allOff = price;
        for (Promotion p : promotions) {
            allowed.add((double) p.threshold());
            allowed.add((double) p.amount());
            if (price > 0 && price >= p.threshold()) {
                allowed.add(price - p.amount());
                allOff -= p.amount();
            }
        }
        if (price > 0) {
            allowed.add(allOff);
        }
        return allowed;
    }
}
