package io.kefu.shop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One product of a shop's catalog.
 *
 * @param id the product id customers and the server refer to (e.g. {@code "1001"})
 * @param name the display name (e.g. {@code 法式碎花连衣裙})
 * @param category the category (e.g. {@code 连衣裙}); promotions may be limited to categories
 * @param price the price in whole yuan
 * @param sizes the sizes on offer, in size-chart order
 * @param colors the colours on offer
 * @param stock units in stock per colour, then per size; every colour and size has an entry
 * @param material the fabric composition as printed on the label
 * @param care washing and care instructions
 * @param sizeChart the id of the {@link SizeChart} this product follows
 * @param restockDays about how many days until sold-out sizes are restocked; 0 when no restock is planned
 */
public record Product(String id, String name, String category, int price, List<String> sizes,
                      List<String> colors, Map<String, Map<String, Integer>> stock, String material,
                      String care, String sizeChart, int restockDays) {
    /** Copies collections (keeping their order) and checks for nulls. */
    public Product {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(category, "category");
        sizes = List.copyOf(sizes);
        colors = List.copyOf(colors);
        Map<String, Map<String, Integer>> copy = new LinkedHashMap<>();
        stock.forEach((color, bySize) -> copy.put(color, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bySize))));
        stock = java.util.Collections.unmodifiableMap(copy);
        Objects.requireNonNull(material, "material");
        Objects.requireNonNull(care, "care");
        Objects.requireNonNull(sizeChart, "sizeChart");
    }

    /** @return units in stock of one colour and size, 0 when either is unknown */
    public int stockOf(String color, String size) {
        Map<String, Integer> bySize = stock.get(color);
        return bySize == null ? 0 : bySize.getOrDefault(size, 0);
    }

    /** @return units in stock of a size over all colours */
    public int stockOfSize(String size) {
        int total = 0;
        for (String color : colors) {
            total += stockOf(color, size);
        }
        return total;
    }
}
