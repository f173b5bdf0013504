package io.kefu.server.store;

import io.kefu.runtime.format.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.shop.FactsRenderer;
import io.kefu.shop.FactsSource;
import io.kefu.shop.FactsUnavailableException;
import io.kefu.shop.Product;
import io.kefu.shop.ProductFacts;
import io.kefu.shop.Promotion;
import io.kefu.shop.PromotionType;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.ShopPolicies;
import io.kefu.shop.SizeChart;

import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shop tables: loaded from a {@link ShopCatalog} (a shop folder) when the store is empty, replaced whole
 * ({@link #replace}) or changed in part ({@link #updateProduct}, {@link #putPromotion}) by the admin API and the
 * {@code kefu shop} commands, and read per request, so a change shows in the next answer. {@link #facts} reads a
 * product's CURRENT stock, promotions and policies and returns the same {@link ProductFacts} that
 * {@link ShopCatalog#factsFor} builds, so {@link FactsRenderer} renders them exactly as the dataset
 * generator did. It is the server's {@link FactsSource} unless another one is configured.
 */
public final class ShopStore implements FactsSource {
    private static final ObjectMapper JSON = Json.withClasspathModules();

    private final Database db;
    private final boolean ownsDatabase;

    /** @param db a migrated store, which stays open when this is closed */
    public ShopStore(Database db) {
        this(db, false);
    }

    private ShopStore(Database db, boolean ownsDatabase) {
        this.db = db;
        this.ownsDatabase = ownsDatabase;
    }

    /**
     * Opens the shop tables of another Kefu store (migrating its schema), for reading facts from it; {@link #close()}
     * closes it.
     *
     * @throws KefuException as {@link Database#open(String, Database.Pool)}
     */
    public static ShopStore open(String jdbcUrl, Database.Pool pool) {
        return new ShopStore(Database.open(jdbcUrl, pool), true);
    }

    /** Closes the database when {@link #open} opened it; otherwise nothing (its owner closes it). Idempotent. */
    @Override
    public void close() {
        if (ownsDatabase) {
            db.close();
        }
    }

    /** @return whether the shop tables hold a shop */
    public boolean isLoaded() {
        return db.read("checking whether the shop is loaded", c -> {
            try (var s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM shop")) {
                r.next();
                return r.getInt(1) > 0;
            }
        });
    }

    /** Loads the catalog when the store holds no shop yet; returns whether it loaded. */
    public boolean loadIfEmpty(ShopCatalog catalog) {
        return db.inTransaction("loading the shop catalog", c -> {
            try (var s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM shop")) {
                r.next();
                if (r.getInt(1) > 0) {
                    return false;
                }
            }
            insert(c, catalog);
            return true;
        });
    }

    private static void insert(Connection c, ShopCatalog catalog) throws SQLException {
        update(c, "INSERT INTO shop (id, name) VALUES (?, ?)", catalog.shopId(), catalog.shopName());
        update(c, "INSERT INTO policies (shop_id, document) VALUES (?, ?)", catalog.shopId(), json(catalog.policies()));
        for (SizeChart chart : catalog.sizeCharts()) {
            update(c, "INSERT INTO size_charts (id, name) VALUES (?, ?)", chart.id(), chart.name());
            int i = 0;
            for (SizeChart.Row row : chart.rows()) {
                update(c, "INSERT INTO size_chart_rows (chart_id, position, size, height_min, height_max, weight_min, weight_max)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)", chart.id(), i++, row.size(), row.heightMin(), row.heightMax(),
                        row.weightMin(), row.weightMax());
            }
        }
        int position = 0;
        for (Product p : catalog.products()) {
            update(c, "INSERT INTO products (id, position, name, category, price, material, care, size_chart, restock_days)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", p.id(), position++, p.name(), p.category(), p.price(),
                    p.material(), p.care(), p.sizeChart(), p.restockDays());
            for (int i = 0; i < p.sizes().size(); i++) {
                update(c, "INSERT INTO product_sizes (product_id, position, size) VALUES (?, ?, ?)", p.id(), i, p.sizes().get(i));
            }
            for (int i = 0; i < p.colors().size(); i++) {
                update(c, "INSERT INTO product_colors (product_id, position, color) VALUES (?, ?, ?)", p.id(), i, p.colors().get(i));
            }
            for (String color : p.colors()) {
                for (String size : p.sizes()) {
                    update(c, "INSERT INTO skus (product_id, color, size, stock) VALUES (?, ?, ?, ?)", p.id(), color, size,
                            p.stockOf(color, size));
                }
            }
        }
        position = 0;
        for (Promotion p : catalog.promotions()) {
            insertPromotion(c, p, position++);
        }
    }

    private static void insertPromotion(Connection c, Promotion p, int position) throws SQLException {
        update(c, "INSERT INTO promotions (id, position, type, threshold, amount, valid_from, valid_to, how_to_get, audience)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", p.id(), position, p.type().wireName(), p.threshold(), p.amount(),
                Date.valueOf(p.validFrom()), Date.valueOf(p.validTo()), p.howToGet(), p.audience());
        for (String category : p.categories()) {
            update(c, "INSERT INTO promotion_categories (promotion_id, category) VALUES (?, ?)", p.id(), category);
        }
    }

    /**
     * Sets the stock of one SKU (what the shop's inventory system does when items sell or arrive).
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when the SKU does not exist
     */
    public void setStock(String productId, String color, String size, int units) {
        int rows = db.inTransaction("updating stock", c -> update(c,
                "UPDATE skus SET stock = ? WHERE product_id = ? AND color = ? AND size = ?", units, productId, color, size));
        if (rows == 0) {
            throw new KefuException(ErrorCode.NOT_FOUND, "no SKU " + productId + "/" + color + "/" + size + " in the store");
        }
    }

    /**
     * Changes a product's price and the stock of some of its SKUs, all or nothing.
     *
     * @param price the new price in yuan, or null to keep it
     * @param stock colour to size to units, for the SKUs that change (empty: none)
     * @return the product as it now is
     * @throws KefuException {@link ErrorCode#NOT_FOUND} for an unknown product, {@link ErrorCode#INVALID_ARGUMENT}
     *     naming {@code stock.COLOUR.SIZE} for a SKU the product does not have (then nothing changes)
     */
    public Product updateProduct(String productId, Integer price, Map<String, Map<String, Integer>> stock) {
        return db.inTransaction("updating product " + productId, c -> {
            Product product = product(c, productId).orElseThrow(() -> new KefuException(ErrorCode.NOT_FOUND,
                    "product '" + productId + "' is not in the store"));
            for (Map.Entry<String, Map<String, Integer>> byColor : stock.entrySet()) {
                if (!product.colors().contains(byColor.getKey())) {
                    throw new KefuException(ErrorCode.INVALID_ARGUMENT, "stock." + byColor.getKey() + ": product " + productId
                            + " has no such colour; it has " + product.colors());
                }
                for (Map.Entry<String, Integer> bySize : byColor.getValue().entrySet()) {
                    if (!product.sizes().contains(bySize.getKey())) {
                        throw new KefuException(ErrorCode.INVALID_ARGUMENT, "stock." + byColor.getKey() + "." + bySize.getKey()
                                + ": product " + productId + " has no such size; it has " + product.sizes());
                    }
                    update(c, "UPDATE skus SET stock = ? WHERE product_id = ? AND color = ? AND size = ?", bySize.getValue(), productId,
                            byColor.getKey(), bySize.getKey());
                }
            }
            if (price != null) {
                update(c, "UPDATE products SET price = ? WHERE id = ?", price, productId);
            }
            return product(c, productId).orElseThrow();
        });
    }

    /**
     * Adds a promotion, or replaces the one with its id (keeping its place in the list).
     *
     * @return true when it was new
     */
    public boolean putPromotion(Promotion promotion) {
        return db.inTransaction("writing promotion " + promotion.id(), c -> {
            Integer position = null;
            try (PreparedStatement s = c.prepareStatement("SELECT position FROM promotions WHERE id = ?")) {
                s.setString(1, promotion.id());
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        position = r.getInt(1);
                    }
                }
            }
            boolean existed = position != null;
            if (existed) {
                update(c, "DELETE FROM promotion_categories WHERE promotion_id = ?", promotion.id());
                update(c, "DELETE FROM promotions WHERE id = ?", promotion.id());
            } else {
                try (var s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COALESCE(MAX(position) + 1, 0) FROM promotions")) {
                    r.next();
                    position = r.getInt(1);
                }
            }
            insertPromotion(c, promotion, position);
            return !existed;
        });
    }

    /**
     * Replaces the whole shop (products, stock, promotions, policies, size charts) with {@code catalog} in one
     * transaction; conversations stay.
     */
    public void replace(ShopCatalog catalog) {
        db.inTransaction("replacing the shop", c -> {
            for (String table : List.of("promotion_categories", "promotions", "skus", "product_colors", "product_sizes", "products",
                    "size_chart_rows", "size_charts", "policies", "shop")) {
                try (var s = c.createStatement()) {
                    s.executeUpdate("DELETE FROM " + table);
                }
            }
            insert(c, catalog);
            return null;
        });
    }

    /**
     * @return the whole shop as the store holds it now (stock, prices and promotions included)
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when the store holds no shop
     */
    public ShopCatalog catalog() {
        return db.read("reading the whole shop", c -> {
            String[] shop = shop(c);
            List<Product> products = new ArrayList<>();
            for (String id : column(c, "SELECT id FROM products ORDER BY position")) {
                products.add(product(c, id).orElseThrow());
            }
            List<SizeChart> charts = new ArrayList<>();
            for (String id : column(c, "SELECT id FROM size_charts ORDER BY id")) {
                charts.add(sizeChart(c, id).orElseThrow());
            }
            return new ShopCatalog(shop[0], shop[1], products, allPromotions(c), policies(c, shop[0]), charts);
        });
    }

    /** @return the product categories of the shop */
    public java.util.Set<String> categories() {
        return db.read("reading the categories", c -> new java.util.HashSet<>(column(c, "SELECT DISTINCT category FROM products")));
    }

    /** @return the shop's name */
    @Override
    public String shopName() {
        return read("reading the shop", c -> shop(c)[1]);
    }

    @Override
    public Optional<Product> product(String id) {
        return read("reading product " + id, c -> product(c, id));
    }

    @Override
    public Optional<Product> productNamed(String name) {
        return read("reading a product by name", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM products WHERE name = ? ORDER BY position")) {
                s.setString(1, name);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? product(c, r.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Optional<SizeChart> sizeChart(String id) {
        return read("reading size chart " + id, c -> sizeChart(c, id));
    }

    @Override
    public List<Promotion> promotions(LocalDate day) {
        return read("reading the promotions", c -> running(c, day));
    }

    @Override
    public ShopPolicies policies() {
        return read("reading the policies", c -> policies(c, shop(c)[0]));
    }

    @Override
    public String description() {
        return "the shop tables of " + db.redacted();
    }

    /** Reads on one connection; a database that is down or stalls is {@link FactsUnavailableException}, caused by {@link StoreUnavailableException}. */
    private <T> T read(String what, Database.SqlWork<T> work) {
        try {
            return db.read(what, work);
        } catch (StoreUnavailableException e) {
            throw new FactsUnavailableException(e.getMessage(), e);
        }
    }

    /**
     * The facts for a question asked on {@code day}: about one product, or shop-wide when
     * {@code productId} is empty.
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} naming an unknown product
     * @throws FactsUnavailableException when the database is down or stalls
     */
    @Override
    public ProductFacts facts(Optional<String> productId, LocalDate day) {
        String what = productId.map(id -> "reading the facts of product " + id).orElse("reading the shop facts");
        return read(what, c -> {
            String[] shop = shop(c);
            ShopPolicies policies = policies(c, shop[0]);
            if (productId.isEmpty()) {
                return new ProductFacts(shop[1], null, null, promotions(c, null, day), policies);
            }
            Product product = product(c, productId.get()).orElseThrow(() -> new KefuException(ErrorCode.NOT_FOUND,
                    "productId: product '" + productId.get() + "' is not in the catalog of " + shop[1]));
            SizeChart chart = sizeChart(c, product.sizeChart()).map(s -> s.forSizes(product.sizes())).orElse(null);
            return new ProductFacts(shop[1], product, chart, promotions(c, product, day), policies);
        });
    }

    private static String[] shop(Connection c) throws SQLException {
        try (var s = c.createStatement(); ResultSet r = s.executeQuery("SELECT id, name FROM shop ORDER BY id")) {
            if (!r.next()) {
                throw new KefuException(ErrorCode.NOT_FOUND, "the store holds no shop; load one with kefu shop import, or serve with --shop DIR");
            }
            return new String[] {r.getString(1), r.getString(2)};
        }
    }

    private static ShopPolicies policies(Connection c, String shopId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT document FROM policies WHERE shop_id = ?")) {
            s.setString(1, shopId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new KefuException(ErrorCode.INVALID_DATA, "policies: the store has no policies for shop " + shopId);
                }
                return JSON.readValue(r.getString(1), ShopPolicies.class);
            } catch (JsonProcessingException e) {
                throw new KefuException(ErrorCode.INVALID_DATA, "policies.document of shop " + shopId + ": " + e.getOriginalMessage(), e);
            }
        }
    }

    private static Optional<Product> product(Connection c, String id) throws SQLException {
        String name;
        String category;
        int price;
        String material;
        String care;
        String chart;
        int restock;
        try (PreparedStatement s = c.prepareStatement(
                "SELECT name, category, price, material, care, size_chart, restock_days FROM products WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                name = r.getString(1);
                category = r.getString(2);
                price = r.getInt(3);
                material = r.getString(4);
                care = r.getString(5);
                chart = r.getString(6);
                restock = r.getInt(7);
            }
        }
        List<String> sizes = strings(c, "SELECT size FROM product_sizes WHERE product_id = ? ORDER BY position", id);
        List<String> colors = strings(c, "SELECT color FROM product_colors WHERE product_id = ? ORDER BY position", id);
        Map<String, Map<String, Integer>> stock = new LinkedHashMap<>();
        for (String color : colors) {
            stock.put(color, new LinkedHashMap<>());
        }
        try (PreparedStatement s = c.prepareStatement("SELECT color, size, stock FROM skus WHERE product_id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    stock.computeIfAbsent(r.getString(1), k -> new LinkedHashMap<>()).put(r.getString(2), r.getInt(3));
                }
            }
        }
        Map<String, Map<String, Integer>> ordered = new LinkedHashMap<>();
        stock.forEach((color, bySize) -> {
            Map<String, Integer> inOrder = new LinkedHashMap<>();
            for (String size : sizes) {
                inOrder.put(size, bySize.getOrDefault(size, 0));
            }
            ordered.put(color, inOrder);
        });
        return Optional.of(new Product(id, name, category, price, sizes, colors, ordered, material, care, chart, restock));
    }

    private static Optional<SizeChart> sizeChart(Connection c, String id) throws SQLException {
        String name;
        try (PreparedStatement s = c.prepareStatement("SELECT name FROM size_charts WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                name = r.getString(1);
            }
        }
        List<SizeChart.Row> rows = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT size, height_min, height_max, weight_min, weight_max"
                + " FROM size_chart_rows WHERE chart_id = ? ORDER BY position")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(new SizeChart.Row(r.getString(1), r.getInt(2), r.getInt(3), r.getInt(4), r.getInt(5)));
                }
            }
        }
        return Optional.of(new SizeChart(id, name, rows));
    }

    /** The promotions running on {@code day} that apply to the product (shop-wide ones only when it is null), in catalog order. */
    private static List<Promotion> promotions(Connection c, Product product, LocalDate day) throws SQLException {
        return FactsSource.applying(running(c, day), product);
    }

    /** The promotions running on {@code day}, with their categories, in catalog order. */
    private static List<Promotion> running(Connection c, LocalDate day) throws SQLException {
        return promotionsWhere(c, " WHERE valid_from <= ? AND valid_to >= ?", Date.valueOf(day), Date.valueOf(day));
    }

    private static List<Promotion> allPromotions(Connection c) throws SQLException {
        return promotionsWhere(c, "");
    }

    /** The promotions the condition selects, in list order, with their categories. */
    private static List<Promotion> promotionsWhere(Connection c, String where, Object... args) throws SQLException {
        List<Promotion> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT id, type, threshold, amount, valid_from, valid_to, how_to_get, audience"
                + " FROM promotions" + where + " ORDER BY position")) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    String id = r.getString(1);
                    PromotionType type = r.getString(2).equals(PromotionType.COUPON.wireName()) ? PromotionType.COUPON
                            : PromotionType.FULL_REDUCTION;
                    out.add(new Promotion(id, type, r.getInt(3), r.getInt(4), r.getDate(5).toLocalDate(), r.getDate(6).toLocalDate(),
                            List.of(), r.getString(7), r.getString(8)));
                }
            }
        }
        List<Promotion> full = new ArrayList<>();
        for (Promotion p : out) {
            List<String> categories = strings(c, "SELECT category FROM promotion_categories WHERE promotion_id = ? ORDER BY category", p.id());
            full.add(new Promotion(p.id(), p.type(), p.threshold(), p.amount(), p.validFrom(), p.validTo(), categories,
                    p.howToGet(), p.audience()));
        }
        return full;
    }

    private static List<String> column(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (var s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    private static List<String> strings(Connection c, String sql, String key) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, key);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
        }
        return out;
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            return s.executeUpdate();
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new KefuException(ErrorCode.INTERNAL, "cannot write policies as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
