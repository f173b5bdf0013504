package io.kefu.shop;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a shop's customer service may state: products with stock per colour and size,
 * promotions with validity windows, shop policies and size charts.
 *
 * <p>On disk it is a folder of four JSON files ({@code catalog.json}, {@code promotions.json},
 * {@code policies.json}, {@code size_chart.json}) described in {@code examples/shop/README.md};
 * {@link #load(Path)} reads it and {@link #write(Path)} writes it. The same content also travels as one JSON
 * document ({@link #parse(String, String)}, {@link #toDocument()}).
 *
 * @param shopId a short stable id (e.g. {@code "zhiyu"})
 * @param shopName the name customers see (used in the system persona)
 * @param products the products, in catalog order
 * @param promotions all promotions, active or not
 * @param policies shipping, invoice, payment and after-sales rules
 * @param sizeCharts the size charts products refer to
 */
public record ShopCatalog(String shopId, String shopName, List<Product> products, List<Promotion> promotions,
                          ShopPolicies policies, List<SizeChart> sizeCharts) {
    private static final List<String> PROMOTION_FIELDS = List.of("id", "type", "threshold", "amount", "validFrom", "validTo",
            "categories", "howToGet", "audience");

    /** Copies collections and checks for nulls. */
    public ShopCatalog {
        Objects.requireNonNull(shopId, "shopId");
        Objects.requireNonNull(shopName, "shopName");
        products = List.copyOf(products);
        promotions = List.copyOf(promotions);
        Objects.requireNonNull(policies, "policies");
        sizeCharts = List.copyOf(sizeCharts);
    }

    /**
     * Loads and checks a shop folder, or a shop file in the one-document form ({@link #parse(String, String)}).
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when a file is missing, {@link ErrorCode#INVALID_DATA}
     *     naming file, line and field when anything is malformed or inconsistent (unknown size chart,
     *     stock for a colour that is not offered, duplicate ids, a window that ends before it starts ...)
     */
    public static ShopCatalog load(Path directory) {
        return java.nio.file.Files.isRegularFile(directory) ? ShopFiles.readDocument(JsonSource.read(directory)) : ShopFiles.read(directory);
    }

    /**
     * Reads a shop in the one-document form: one JSON object whose {@code catalog}, {@code promotions}, {@code policies}
     * and {@code sizeChart} hold what the folder's four files hold ({@link #toDocument()} writes it).
     *
     * @param name what the text is called in messages (a file name, {@code body})
     * @throws KefuException {@link ErrorCode#INVALID_DATA} naming {@code name:line} and the field, as {@link #load(Path)} does
     */
    public static ShopCatalog parse(String name, String json) {
        return ShopFiles.readDocument(JsonSource.parse(name, json));
    }

    /**
     * Reads one promotion as {@code promotions.json} lists it, without or with its id (which must then be {@code id}).
     *
     * @param name what the text is called in messages
     * @param categories the product categories of the shop it joins
     * @throws KefuException {@link ErrorCode#INVALID_DATA} naming {@code name:line} and the field
     */
    public static Promotion parsePromotion(String name, String json, String id, java.util.Set<String> categories) {
        JsonSource.Node root = JsonSource.parse(name, json).root();
        for (String field : root.fieldNames()) {
            if (!PROMOTION_FIELDS.contains(field)) {
                throw root.field(field).error("unknown field; a promotion has " + PROMOTION_FIELDS);
            }
        }
        if (root.has("id") && !root.field("id").text().equals(id)) {
            throw root.field("id").error("\"" + root.field("id").text() + "\" differs from the id in the path, \"" + id + "\"");
        }
        return ShopFiles.readPromotion(root, id, categories);
    }

    /** Writes this catalog as a shop folder (four JSON files, each written atomically). */
    public void write(Path directory) {
        ShopFiles.write(this, directory);
    }

    /** @return this catalog in the one-document form {@link #parse(String, String)} reads, pretty-printed */
    public String toDocument() {
        return ShopFiles.document(this);
    }

    /** @return the product categories, in no particular order */
    public java.util.Set<String> categories() {
        return ShopFiles.categories(products);
    }

    /** @return the product with this id, if any */
    public Optional<Product> product(String id) {
        return products.stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /**
     * @return the product with this id
     * @throws KefuException {@link ErrorCode#NOT_FOUND} naming the id
     */
    public Product requireProduct(String id) {
        return product(id).orElseThrow(() -> new KefuException(ErrorCode.NOT_FOUND,
                "product " + id + " is not in the catalog of " + shopName));
    }

    /** @return the size chart with this id, if any */
    public Optional<SizeChart> sizeChart(String id) {
        return sizeCharts.stream().filter(c -> c.id().equals(id)).findFirst();
    }

    /** @return the promotions running on {@code day} that apply to {@code product} (all shop-wide ones when null), in file order */
    public List<Promotion> activePromotions(Product product, LocalDate day) {
        List<Promotion> out = new ArrayList<>();
        for (Promotion promotion : promotions) {
            if (promotion.activeOn(day) && (product == null ? promotion.categories().isEmpty() : promotion.appliesTo(product.category()))) {
                out.add(promotion);
            }
        }
        return out;
    }

    /**
     * The facts the assistant may use when a customer asks about {@code productId} on {@code day}
     * (the size chart limited to the product's sizes).
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when the product is unknown
     */
    public ProductFacts factsFor(String productId, LocalDate day) {
        return factsFor(requireProduct(productId), day);
    }

    /** @return the facts for a product of this catalog on {@code day} */
    public ProductFacts factsFor(Product product, LocalDate day) {
        SizeChart chart = sizeChart(product.sizeChart()).map(c -> c.forSizes(product.sizes())).orElse(null);
        return new ProductFacts(shopName, product, chart, activePromotions(product, day), policies);
    }

    /** @return the facts for a question that is not about one product (shop-wide promotions and policies) */
    public ProductFacts shopFacts(LocalDate day) {
        return new ProductFacts(shopName, null, null, activePromotions(null, day), policies);
    }
}
