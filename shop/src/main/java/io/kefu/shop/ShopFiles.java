package io.kefu.shop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.Json;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and writes a shop folder ({@code catalog.json}, {@code promotions.json}, {@code policies.json}, {@code size_chart.json}). */
final class ShopFiles {
    static final String CATALOG = "catalog.json";
    static final String PROMOTIONS = "promotions.json";
    static final String POLICIES = "policies.json";
    static final String SIZE_CHART = "size_chart.json";
    static final String DOCUMENT_CATALOG = "catalog";
    static final String DOCUMENT_PROMOTIONS = "promotions";
    static final String DOCUMENT_POLICIES = "policies";
    static final String DOCUMENT_SIZE_CHART = "sizeChart";
    private static final List<String> DOCUMENT_KEYS = List.of(DOCUMENT_CATALOG, DOCUMENT_PROMOTIONS, DOCUMENT_POLICIES, DOCUMENT_SIZE_CHART);

    private static final Pattern DAYS = Pattern.compile("\\d{1,2}(-\\d{1,2})?");
    private static final ObjectMapper MAPPER = Json.mapper();

    private ShopFiles() {
    }

    static ShopCatalog read(Path dir) {
        return read(JsonSource.read(dir.resolve(SIZE_CHART)).root(), JsonSource.read(dir.resolve(CATALOG)).root(),
                JsonSource.read(dir.resolve(PROMOTIONS)).root(), JsonSource.read(dir.resolve(POLICIES)).root());
    }

    /** Reads the one-document form: {@code {"catalog": ..., "promotions": ..., "policies": ..., "sizeChart": ...}}. */
    static ShopCatalog readDocument(JsonSource source) {
        JsonSource.Node root = source.root();
        for (String key : root.fieldNames()) {
            if (!DOCUMENT_KEYS.contains(key)) {
                throw root.field(key).error("unknown field; a shop document holds " + DOCUMENT_KEYS);
            }
        }
        return read(root.field(DOCUMENT_SIZE_CHART), root.field(DOCUMENT_CATALOG), root.field(DOCUMENT_PROMOTIONS),
                root.field(DOCUMENT_POLICIES));
    }

    private static ShopCatalog read(JsonSource.Node sizeChart, JsonSource.Node catalog, JsonSource.Node promotionsRoot,
                                    JsonSource.Node policiesRoot) {
        List<SizeChart> charts = readSizeCharts(sizeChart.field("charts"));
        JsonSource.Node shop = catalog.field("shop");
        String shopId = shop.field("id").nonBlankText();
        String shopName = shop.field("name").nonBlankText();
        List<Product> products = readProducts(catalog.field("products"), charts);
        List<Promotion> promotions = readPromotions(promotionsRoot.field("promotions"), categories(products));
        ShopPolicies policies = readPolicies(policiesRoot);
        return new ShopCatalog(shopId, shopName, products, promotions, policies, charts);
    }

    static Set<String> categories(List<Product> products) {
        Set<String> categories = new HashSet<>();
        products.forEach(p -> categories.add(p.category()));
        return categories;
    }

    static List<SizeChart> readSizeCharts(JsonSource.Node array) {
        List<SizeChart> charts = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonSource.Node node : array.elements()) {
            JsonSource.Node idNode = node.field("id");
            String id = idNode.nonBlankText();
            if (!ids.add(id)) {
                throw idNode.error("duplicate size chart id \"" + id + "\"");
            }
            List<SizeChart.Row> rows = new ArrayList<>();
            Set<String> sizes = new HashSet<>();
            for (JsonSource.Node rowNode : node.field("rows").elements()) {
                JsonSource.Node sizeNode = rowNode.field("size");
                String size = sizeNode.nonBlankText();
                if (!sizes.add(size)) {
                    throw sizeNode.error("duplicate size \"" + size + "\" in chart " + id);
                }
                int[] height = range(rowNode.field("height"), 50, 250);
                int[] weight = range(rowNode.field("weight"), 5, 250);
                rows.add(new SizeChart.Row(size, height[0], height[1], weight[0], weight[1]));
            }
            if (rows.isEmpty()) {
                throw node.field("rows").error("a size chart needs at least one row");
            }
            charts.add(new SizeChart(id, node.field("name").nonBlankText(), rows));
        }
        return charts;
    }

    private static int[] range(JsonSource.Node node, int min, int max) {
        List<JsonSource.Node> bounds = node.elements();
        if (bounds.size() != 2) {
            throw node.error("expected [min, max], got " + bounds.size() + " numbers");
        }
        int low = bounds.get(0).integer(min, max);
        int high = bounds.get(1).integer(min, max);
        if (low > high) {
            throw node.error("min " + low + " is greater than max " + high);
        }
        return new int[] {low, high};
    }

    private static List<Product> readProducts(JsonSource.Node array, List<SizeChart> charts) {
        List<Product> products = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonSource.Node node : array.elements()) {
            Product product = readProduct(node, charts);
            if (!ids.add(product.id())) {
                throw node.field("id").error("duplicate product id \"" + product.id() + "\"");
            }
            products.add(product);
        }
        if (products.isEmpty()) {
            throw array.error("the catalog has no products");
        }
        return products;
    }

    /** One product as {@code catalog.json} lists it, checked against the size charts. */
    static Product readProduct(JsonSource.Node node, List<SizeChart> charts) {
        String id = node.field("id").nonBlankText();
        List<String> sizes = distinctTexts(node.field("sizes"));
        List<String> colors = distinctTexts(node.field("colors"));
        JsonSource.Node chartNode = node.field("sizeChart");
        String chartId = chartNode.nonBlankText();
        SizeChart chart = charts.stream().filter(c -> c.id().equals(chartId)).findFirst()
                .orElseThrow(() -> chartNode.error("unknown size chart \"" + chartId + "\" (not in " + SIZE_CHART + ")"));
        for (String size : sizes) {
            if (chart.rows().stream().noneMatch(r -> r.size().equals(size))) {
                throw node.field("sizes").error("size " + size + " is not in size chart " + chartId);
            }
        }
        JsonSource.Node stockNode = node.field("stock");
        Map<String, Map<String, Integer>> stock = new LinkedHashMap<>();
        for (String color : stockNode.fieldNames()) {
            if (!colors.contains(color)) {
                throw stockNode.field(color).error("colour \"" + color + "\" is not in colors " + colors);
            }
        }
        for (String color : colors) {
            if (!stockNode.has(color)) {
                throw stockNode.error("no stock for colour \"" + color + "\"");
            }
            JsonSource.Node bySizeNode = stockNode.field(color);
            Map<String, Integer> bySize = new LinkedHashMap<>();
            for (String size : bySizeNode.fieldNames()) {
                if (!sizes.contains(size)) {
                    throw bySizeNode.field(size).error("size \"" + size + "\" is not in sizes " + sizes);
                }
            }
            for (String size : sizes) {
                if (!bySizeNode.has(size)) {
                    throw bySizeNode.error("no stock for size \"" + size + "\"");
                }
                bySize.put(size, bySizeNode.field(size).integer(0, 1_000_000));
            }
            stock.put(color, bySize);
        }
        return new Product(id, node.field("name").nonBlankText(), node.field("category").nonBlankText(),
                node.field("price").integer(1, 1_000_000), sizes, colors, stock,
                node.field("material").nonBlankText(), node.field("care").nonBlankText(), chartId,
                node.has("restockDays") ? node.field("restockDays").integer(0, 365) : 0);
    }

    private static List<String> distinctTexts(JsonSource.Node node) {
        List<String> values = node.texts();
        if (values.isEmpty()) {
            throw node.error("must list at least one value");
        }
        if (new HashSet<>(values).size() != values.size()) {
            throw node.error("lists a value twice: " + values);
        }
        return values;
    }

    /** The promotions of {@code promotions.json}; {@code categories} null: any category name is taken. */
    static List<Promotion> readPromotions(JsonSource.Node array, Set<String> categories) {
        List<Promotion> promotions = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonSource.Node node : array.elements()) {
            JsonSource.Node idNode = node.field("id");
            String id = idNode.nonBlankText();
            if (!ids.add(id)) {
                throw idNode.error("duplicate promotion id \"" + id + "\"");
            }
            promotions.add(readPromotion(node, id, categories));
        }
        return promotions;
    }

    /** Reads one promotion (its fields but {@code id}, which the caller has read or knows). */
    static Promotion readPromotion(JsonSource.Node node, String id, Set<String> categories) {
        JsonSource.Node typeNode = node.field("type");
        PromotionType type = PromotionType.fromWireName(typeNode.text());
        if (type == null) {
            throw typeNode.error("unknown promotion type \"" + typeNode.text() + "\"; expected full_reduction or coupon");
        }
        int threshold = node.field("threshold").integer(0, 1_000_000);
        JsonSource.Node amountNode = node.field("amount");
        int amount = amountNode.integer(1, 1_000_000);
        if (type == PromotionType.FULL_REDUCTION && threshold == 0) {
            throw node.field("threshold").error("a full reduction needs a threshold above 0");
        }
        if (threshold > 0 && amount >= threshold) {
            throw amountNode.error("amount " + amount + " must be below the threshold " + threshold);
        }
        LocalDate from = node.field("validFrom").date();
        JsonSource.Node toNode = node.field("validTo");
        LocalDate to = toNode.date();
        if (to.isBefore(from)) {
            throw toNode.error("validTo " + to + " is before validFrom " + from);
        }
        List<String> scope = node.has("categories") ? node.field("categories").texts() : List.of();
        for (int i = 0; i < scope.size(); i++) {
            if (categories != null && !categories.contains(scope.get(i))) {
                throw node.field("categories").error("unknown category \"" + scope.get(i) + "\"; the catalog has " + new java.util.TreeSet<>(categories));
            }
        }
        String howToGet = node.has("howToGet") ? node.field("howToGet").nonBlankText() : "";
        if (type == PromotionType.COUPON && howToGet.isEmpty()) {
            throw node.error("a coupon needs howToGet (where customers claim it)");
        }
        String audience = node.has("audience") ? node.field("audience").nonBlankText() : "";
        return new Promotion(id, type, threshold, amount, from, to, scope, howToGet, audience);
    }

    static ShopPolicies readPolicies(JsonSource.Node root) {
        JsonSource.Node shipping = root.field("shipping");
        List<ShopPolicies.Carrier> carriers = new ArrayList<>();
        for (JsonSource.Node node : shipping.field("carriers").elements()) {
            carriers.add(new ShopPolicies.Carrier(node.field("name").nonBlankText(), node.field("extraFee").integer(0, 1000)));
        }
        if (carriers.isEmpty()) {
            throw shipping.field("carriers").error("at least one carrier is needed");
        }
        List<ShopPolicies.DeliveryArea> areas = new ArrayList<>();
        for (JsonSource.Node node : shipping.field("areas").elements()) {
            areas.add(new ShopPolicies.DeliveryArea(node.field("name").nonBlankText(), node.field("places").texts(),
                    days(node.field("days"))));
        }
        JsonSource.Node invoiceNode = root.field("invoice");
        boolean invoiceAvailable = invoiceNode.field("available").bool();
        ShopPolicies.Invoice invoice = new ShopPolicies.Invoice(invoiceAvailable,
                invoiceAvailable ? nonEmpty(invoiceNode.field("types")) : List.of(),
                invoiceAvailable ? invoiceNode.field("howTo").nonBlankText() : "");
        JsonSource.Node paymentNode = root.field("payment");
        boolean cod = paymentNode.field("cashOnDelivery").bool();
        ShopPolicies.Payment payment = new ShopPolicies.Payment(nonEmpty(paymentNode.field("methods")), cod,
                cod ? paymentNode.field("codFee").integer(0, 1000) : 0);
        JsonSource.Node returnsNode = root.field("returns");
        int days = returnsNode.field("days").integer(0, 365);
        ShopPolicies.Returns returns = new ShopPolicies.Returns(days,
                days > 0 ? returnsNode.field("condition").nonBlankText() : "",
                returnsNode.field("exchange").bool(), returnsNode.field("shippingInsurance").bool());
        return new ShopPolicies(shipping.field("dispatchHours").integer(1, 24 * 30), carriers, areas,
                days(shipping.field("otherAreaDays")), invoice, payment, returns, root.field("serviceHours").nonBlankText());
    }

    private static String days(JsonSource.Node node) {
        String text = node.nonBlankText();
        if (!DAYS.matcher(text).matches()) {
            throw node.error("expected days like \"3-5\" or \"2\", got \"" + text + "\"");
        }
        return text;
    }

    private static List<String> nonEmpty(JsonSource.Node node) {
        List<String> values = node.texts();
        if (values.isEmpty()) {
            throw node.error("must list at least one value");
        }
        return values;
    }

    static void write(ShopCatalog catalog, Path dir) {
        AtomicFiles.writeString(dir.resolve(SIZE_CHART), pretty(sizeChartJson(catalog)));
        AtomicFiles.writeString(dir.resolve(CATALOG), pretty(catalogJson(catalog)));
        AtomicFiles.writeString(dir.resolve(PROMOTIONS), pretty(promotionsJson(catalog)));
        AtomicFiles.writeString(dir.resolve(POLICIES), pretty(policiesJson(catalog)));
    }

    /** @return the one-document form {@link #readDocument} reads */
    static String document(ShopCatalog catalog) {
        ObjectNode root = MAPPER.createObjectNode();
        root.set(DOCUMENT_CATALOG, catalogJson(catalog));
        root.set(DOCUMENT_PROMOTIONS, promotionsJson(catalog));
        root.set(DOCUMENT_POLICIES, policiesJson(catalog));
        root.set(DOCUMENT_SIZE_CHART, sizeChartJson(catalog));
        return pretty(root);
    }

    private static ObjectNode catalogJson(ShopCatalog catalog) {
        ObjectNode catalogJson = MAPPER.createObjectNode();
        ObjectNode shop = catalogJson.putObject("shop");
        shop.put("id", catalog.shopId());
        shop.put("name", catalog.shopName());
        ArrayNode products = catalogJson.putArray("products");
        for (Product p : catalog.products()) {
            ObjectNode node = products.addObject();
            node.put("id", p.id());
            node.put("name", p.name());
            node.put("category", p.category());
            node.put("price", p.price());
            strings(node.putArray("sizes"), p.sizes());
            strings(node.putArray("colors"), p.colors());
            ObjectNode stock = node.putObject("stock");
            p.stock().forEach((color, bySize) -> {
                ObjectNode sizes = stock.putObject(color);
                bySize.forEach(sizes::put);
            });
            node.put("material", p.material());
            node.put("care", p.care());
            node.put("sizeChart", p.sizeChart());
            node.put("restockDays", p.restockDays());
        }
        return catalogJson;
    }

    private static ObjectNode promotionsJson(ShopCatalog catalog) {
        ObjectNode promotionsJson = MAPPER.createObjectNode();
        ArrayNode promotions = promotionsJson.putArray("promotions");
        for (Promotion p : catalog.promotions()) {
            ObjectNode node = promotions.addObject();
            node.put("id", p.id());
            node.put("type", p.type().wireName());
            node.put("threshold", p.threshold());
            node.put("amount", p.amount());
            node.put("validFrom", p.validFrom().toString());
            node.put("validTo", p.validTo().toString());
            if (!p.categories().isEmpty()) {
                strings(node.putArray("categories"), p.categories());
            }
            if (!p.howToGet().isEmpty()) {
                node.put("howToGet", p.howToGet());
            }
            if (!p.audience().isEmpty()) {
                node.put("audience", p.audience());
            }
        }
        return promotionsJson;
    }

    private static ObjectNode policiesJson(ShopCatalog catalog) {
        ShopPolicies policies = catalog.policies();
        ObjectNode policiesJson = MAPPER.createObjectNode();
        ObjectNode shipping = policiesJson.putObject("shipping");
        shipping.put("dispatchHours", policies.dispatchHours());
        ArrayNode carriers = shipping.putArray("carriers");
        for (ShopPolicies.Carrier carrier : policies.carriers()) {
            carriers.addObject().put("name", carrier.name()).put("extraFee", carrier.extraFee());
        }
        ArrayNode areas = shipping.putArray("areas");
        for (ShopPolicies.DeliveryArea area : policies.areas()) {
            ObjectNode node = areas.addObject();
            node.put("name", area.name());
            strings(node.putArray("places"), area.places());
            node.put("days", area.days());
        }
        shipping.put("otherAreaDays", policies.otherAreaDays());
        ObjectNode invoice = policiesJson.putObject("invoice");
        invoice.put("available", policies.invoice().available());
        strings(invoice.putArray("types"), policies.invoice().types());
        invoice.put("howTo", policies.invoice().howTo());
        ObjectNode payment = policiesJson.putObject("payment");
        strings(payment.putArray("methods"), policies.payment().methods());
        payment.put("cashOnDelivery", policies.payment().cashOnDelivery());
        payment.put("codFee", policies.payment().codFee());
        ObjectNode returns = policiesJson.putObject("returns");
        returns.put("days", policies.returns().days());
        returns.put("condition", policies.returns().condition());
        returns.put("exchange", policies.returns().exchange());
        returns.put("shippingInsurance", policies.returns().shippingInsurance());
        policiesJson.put("serviceHours", policies.serviceHours());
        return policiesJson;
    }

    private static ObjectNode sizeChartJson(ShopCatalog catalog) {
        ObjectNode chartsJson = MAPPER.createObjectNode();
        ArrayNode charts = chartsJson.putArray("charts");
        for (SizeChart chart : catalog.sizeCharts()) {
            ObjectNode node = charts.addObject();
            node.put("id", chart.id());
            node.put("name", chart.name());
            ArrayNode rows = node.putArray("rows");
            for (SizeChart.Row row : chart.rows()) {
                ObjectNode r = rows.addObject();
                r.put("size", row.size());
                r.putArray("height").add(row.heightMin()).add(row.heightMax());
                r.putArray("weight").add(row.weightMin()).add(row.weightMax());
            }
        }
        return chartsJson;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    private static String pretty(ObjectNode node) {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"));
        try {
            return MAPPER.writer(printer).writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new KefuException(ErrorCode.INTERNAL, "cannot serialise a shop catalog: " + e.getMessage(), e);
        }
    }
}
