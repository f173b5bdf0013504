package io.kefu.shop;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Customer question phrasings per intent and pool, shipped as the resource
 * {@code io/kefu/shop/phrasings.json}. Slots in braces ({@code {color}}, {@code {size}},
 * {@code {product}}, {@code {height}}, {@code {weight}}, {@code {city}}, {@code {carrier}},
 * {@code {method}}) are filled by {@link DialogComposer}.
 */
public final class Phrasings {
    private static final String RESOURCE = "phrasings.json";
    private static final Phrasings DEFAULT = load();

    private final Map<Intent, Map<PhrasingPool, List<String>>> phrasings;

    private Phrasings(Map<Intent, Map<PhrasingPool, List<String>>> phrasings) {
        this.phrasings = phrasings;
    }

    /** @return the shipped phrasings */
    public static Phrasings standard() {
        return DEFAULT;
    }

    /** @return the phrasings of an intent in a pool */
    public List<String> of(Intent intent, PhrasingPool pool) {
        return phrasings.get(intent).get(pool);
    }

    private static Phrasings load() {
        try (InputStream in = Phrasings.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new KefuException(ErrorCode.INTERNAL, "resource io/kefu/shop/" + RESOURCE + " is missing from the jar");
            }
            JsonNode root = Json.mapper().readTree(in);
            Map<Intent, Map<PhrasingPool, List<String>>> all = new EnumMap<>(Intent.class);
            for (Intent intent : Intent.values()) {
                JsonNode node = root.get(intent.wireName());
                if (node == null) {
                    throw new KefuException(ErrorCode.INTERNAL, RESOURCE + ": no phrasings for intent " + intent.wireName());
                }
                Map<PhrasingPool, List<String>> pools = new EnumMap<>(PhrasingPool.class);
                for (PhrasingPool pool : PhrasingPool.values()) {
                    List<String> list = new ArrayList<>();
                    JsonNode array = node.get(pool.name().toLowerCase(java.util.Locale.ROOT));
                    if (array == null || array.isEmpty()) {
                        throw new KefuException(ErrorCode.INTERNAL, RESOURCE + ": " + intent.wireName() + " has no "
                                + pool.name().toLowerCase(java.util.Locale.ROOT) + " phrasings");
                    }
                    array.forEach(p -> list.add(p.asText()));
                    pools.put(pool, List.copyOf(list));
                }
                all.put(intent, pools);
            }
            return new Phrasings(all);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.INTERNAL, "cannot read resource " + RESOURCE + ": " + e.getMessage(), e);
        }
    }
}
