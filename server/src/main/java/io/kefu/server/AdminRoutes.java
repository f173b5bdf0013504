package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.server.store.ShopStore;
import io.kefu.shop.FactsSource;
import io.kefu.shop.Product;
import io.kefu.shop.Promotion;
import io.kefu.shop.ShopCatalog;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The store's admin API, for the shop's own systems (inventory, pricing, campaigns); every change shows in the next
 * answer, since {@code /chat} reads the store per question:
 * <ul>
 *   <li>{@code PUT /admin/products/{id}} {@code {"price"?: 329, "stock"?: {"雾蓝": {"M": 0}}}}: a new price and the
 *       stock of some SKUs, all or nothing; answers the product as it now is;</li>
 *   <li>{@code PUT /admin/promotions/{id}}: a promotion as {@code promotions.json} lists it, added or replaced;</li>
 *   <li>{@code POST /admin/shop}: a whole shop as one document ({@code kefu shop export --out shop.json} writes one),
 *       replacing the one served.</li>
 * </ul>
 * The routes answer only on a server with an API key (403 otherwise), since whoever may call them rewrites what the
 * assistant tells customers; without the key they answer 401 like every route. A bad body is a 400 naming the field
 * (and, for a document, its line). When {@code /chat} reads the facts from another source ({@code --facts}: the shop's
 * own database or API), the routes answer 409 saying so: the store's shop tables are then not what customers are told.
 */
final class AdminRoutes {
    static final String PRODUCTS = "/admin/products/{id}";
    static final String PROMOTIONS = "/admin/promotions/{id}";
    static final String SHOP = "/admin/shop";
    /** Ids as shop files may write them (any text), within the store's 64 characters. */
    private static final Pattern ID = Pattern.compile("[^\\p{Cntrl}]{1,64}");
    private static final int MAX_PRICE = 1_000_000;
    private static final int MAX_STOCK = 1_000_000;
    /** A located problem in a body document: {@code body:LINE PATH: reason}. */
    private static final Pattern BODY_LOCATION = Pattern.compile("^body:\\d+(?::\\d+)?(?: ([^:]+))?: ");

    private final ShopStore shop;
    private final FactsSource facts;
    private final boolean hasApiKey;
    private final JsonExchange exchange;

    /** @param facts where {@code /chat} reads the shop's facts: {@code shop}, or another source the routes do not change */
    AdminRoutes(ShopStore shop, FactsSource facts, boolean hasApiKey, JsonExchange exchange) {
        this.shop = shop;
        this.facts = facts;
        this.hasApiKey = hasApiKey;
        this.exchange = exchange;
    }

    void updateProduct(Context ctx) {
        requireKey();
        requireStoreFacts();
        String id = id(ctx);
        JsonNode body = exchange.readObject(ctx);
        onlyFields(body, List.of("price", "stock"));
        Integer price = Json.optionalInt(body, "price", 1, MAX_PRICE);
        Map<String, Map<String, Integer>> stock = stock(body.get("stock"));
        if (price == null && stock.isEmpty()) {
            throw ApiException.badField("body", "nothing to change; give price, stock or both");
        }
        Product product = located(() -> shop.updateProduct(id, price, stock));
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("id", product.id());
        out.put("price", product.price());
        ObjectNode stockOut = out.putObject("stock");
        product.stock().forEach((color, bySize) -> {
            ObjectNode sizes = stockOut.putObject(color);
            bySize.forEach(sizes::put);
        });
        exchange.send(ctx, 200, out, "/admin/products");
    }

    void putPromotion(Context ctx) {
        requireKey();
        requireStoreFacts();
        String id = id(ctx);
        String text = exchange.readText(ctx);
        Promotion promotion = located(() -> ShopCatalog.parsePromotion("body", text, id, shop.categories()));
        boolean created = shop.putPromotion(promotion);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("id", promotion.id());
        out.put("created", created);
        exchange.send(ctx, created ? 201 : 200, out, "/admin/promotions");
    }

    void replaceShop(Context ctx) {
        requireKey();
        requireStoreFacts();
        String text = exchange.readText(ctx);
        ShopCatalog catalog = located(() -> ShopCatalog.parse("body", text));
        shop.replace(catalog);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("shop", catalog.shopName());
        out.put("products", catalog.products().size());
        out.put("promotions", catalog.promotions().size());
        exchange.send(ctx, 200, out, SHOP);
    }

    private void requireKey() {
        if (!hasApiKey) {
            throw new ApiException(403, "permission_error", null,
                    "the admin API is off on a server without an API key; start it with --api-key-file");
        }
    }

    private void requireStoreFacts() {
        if (facts != shop) {
            throw new ApiException(409, "conflict", null, "the shop's facts come from " + facts.description()
                    + " (--facts), not from this server's store; change them there");
        }
    }

    private static String id(Context ctx) {
        String id = ctx.pathParam("id");
        if (!ID.matcher(id).matches()) {
            throw ApiException.badField("id", "must be 1-64 characters, none of them a control character");
        }
        return id;
    }

    private static void onlyFields(JsonNode body, List<String> known) {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw ApiException.badField(name, "unknown field; expected " + String.join(", ", known));
            }
        }
    }

    private static Map<String, Map<String, Integer>> stock(JsonNode node) {
        Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw ApiException.badField("stock", "must be an object of colour to {size: units}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> colors = node.fields(); colors.hasNext(); ) {
            Map.Entry<String, JsonNode> color = colors.next();
            String where = "stock." + color.getKey();
            if (!color.getValue().isObject() || color.getValue().isEmpty()) {
                throw ApiException.badField(where, "must be an object of size to units, e.g. {\"M\": 3}");
            }
            Map<String, Integer> bySize = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> sizes = color.getValue().fields(); sizes.hasNext(); ) {
                Map.Entry<String, JsonNode> size = sizes.next();
                JsonNode units = size.getValue();
                if (!units.isIntegralNumber() || !units.canConvertToInt() || units.asInt() < 0 || units.asInt() > MAX_STOCK) {
                    throw ApiException.badField(where + "." + size.getKey(), "must be a whole number in 0.." + MAX_STOCK);
                }
                bySize.put(size.getKey(), units.asInt());
            }
            out.put(color.getKey(), bySize);
        }
        return out;
    }

    /** Runs a store or parsing step, answering a bad value as a 400 with the located message. */
    private static <T> T located(java.util.function.Supplier<T> step) {
        try {
            return step.get();
        } catch (KefuException e) {
            if (e.code() == ErrorCode.INVALID_DATA || e.code() == ErrorCode.INVALID_ARGUMENT) {
                String message = e.getMessage();
                java.util.regex.Matcher inBody = BODY_LOCATION.matcher(message);
                int colon = message.indexOf(':');
                String field = inBody.find() ? (inBody.group(1) == null ? "body" : inBody.group(1)) : message.substring(0, Math.max(colon, 0));
                throw new ApiException(400, "invalid_request_error", field.isEmpty() ? "body" : field, message);
            }
            throw e;
        }
    }
}
