package io.kefu.runtime.format;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The JSON mappers Kefu reads and writes files with, one per configuration that a file format needs.
 * Each is created once and shared, so it must not be reconfigured: call {@link ObjectMapper#copy()}
 * for a different setup, or add a named variant here.
 */
public final class Json {
    private static final ObjectMapper PLAIN = JsonMapper.builder().build();
    private static final ObjectMapper INDENTED = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final ObjectMapper INDENTED_SORTED = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
    private static final ObjectMapper REJECTING_DUPLICATE_KEYS = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper KEEPING_TARGET_OPEN = JsonMapper.builder()
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .build();
    private static final ObjectMapper WITH_CLASSPATH_MODULES = JsonMapper.builder().findAndAddModules().build();
    private static final ObjectReader ONE_VALUE_PER_TEXT = PLAIN.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {
    }

    /** @return Jackson's defaults: compact output, lenient about nothing JSON does not allow */
    public static ObjectMapper mapper() {
        return PLAIN;
    }

    /** @return the defaults plus every Jackson module on the class path (Java time, {@code Optional}), for stored records */
    public static ObjectMapper withClasspathModules() {
        return WITH_CLASSPATH_MODULES;
    }

    /** @return the defaults with indented output, for files a person reads (configs, reports) */
    public static ObjectMapper indented() {
        return INDENTED;
    }

    /** @return indented output with map entries sorted by key, for files that must be byte-identical between runs */
    public static ObjectMapper indentedSorted() {
        return INDENTED_SORTED;
    }

    /** @return the defaults, but a key that occurs twice in one object is an error (untrusted headers) */
    public static ObjectMapper rejectingDuplicateKeys() {
        return REJECTING_DUPLICATE_KEYS;
    }

    /** @return the defaults, but writing a value does not close the stream it is written to (one record per line) */
    public static ObjectMapper keepingTargetOpen() {
        return KEEPING_TARGET_OPEN;
    }

    /** @return a reader for text that must hold exactly one JSON value: anything after it is an error (JSONL lines) */
    public static ObjectReader oneValuePerText() {
        return ONE_VALUE_PER_TEXT;
    }
}
