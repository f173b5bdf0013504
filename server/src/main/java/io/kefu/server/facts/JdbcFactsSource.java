package io.kefu.server.facts;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.shop.FactsSource;
import io.kefu.shop.FactsUnavailableException;
import io.kefu.shop.Product;
import io.kefu.shop.Promotion;
import io.kefu.shop.PromotionType;
import io.kefu.shop.ShopJson;
import io.kefu.shop.ShopPolicies;
import io.kefu.shop.SizeChart;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A shop's facts read from its own database through a {@link FactsMapping}: the shop's queries, run read-only on at
 * most {@code poolSize} connections ({@link ShopConnections}), every value bound as a parameter. Every wait is bounded
 * by the mapping's timeout (waiting for a connection, connecting and each socket read on PostgreSQL and MariaDB, each
 * statement). A database that is down or
 * slow, a query that fails, or a row that does not make sense (a NULL price, an unknown promotion type) is
 * {@link FactsUnavailableException}, naming the query and the column.
 */
public final class JdbcFactsSource implements FactsSource {
    private final FactsMapping mapping;
    private final ShopConnections connections;
    private final boolean postgres;

    private JdbcFactsSource(FactsMapping mapping, ShopConnections connections) {
        this.mapping = mapping;
        this.connections = connections;
        this.postgres = mapping.url().startsWith("jdbc:postgresql:");
    }

    /**
     * Reads the mapping file and finds the database's driver; the database need not be up yet (each read tries again).
     *
     * @throws KefuException {@link ErrorCode#INVALID_CONFIG} naming {@code file:line} and key when the file is wrong,
     *     {@link ErrorCode#NOT_FOUND} when it does not exist
     */
    public static JdbcFactsSource open(Path mappingFile) {
        return open(FactsMapping.load(mappingFile));
    }

    static JdbcFactsSource open(FactsMapping mapping) {
        Properties properties = new Properties();
        if (mapping.user() != null) {
            properties.setProperty("user", mapping.user());
        }
        if (mapping.password() != null) {
            properties.setProperty("password", mapping.password());
        }
        long millis = mapping.timeout().toMillis();
        String url = mapping.url();
        if (url.startsWith("jdbc:postgresql:")) {
            properties.setProperty("connectTimeout", String.valueOf(mapping.timeout().toSeconds()));
            properties.setProperty("socketTimeout", String.valueOf(mapping.timeout().toSeconds()));
            properties.setProperty("options", "-c statement_timeout=" + millis);
        } else if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
            properties.setProperty("connectTimeout", String.valueOf(millis));
            properties.setProperty("socketTimeout", String.valueOf(millis));
        }
        try {
            // the database need not be up yet: questions are handed off until it answers
            return new JdbcFactsSource(mapping, new ShopConnections(url, properties, mapping.timeout(), mapping.poolSize()));
        } catch (SQLException e) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, mapping.file() + ": url " + mapping.redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String shopName() {
        return mapping.shopName();
    }

    @Override
    public Optional<Product> product(String id) {
        return product("product", "id", id);
    }

    @Override
    public Optional<Product> productNamed(String name) {
        if (mapping.query("productByName").isEmpty()) {
            throw new KefuException(ErrorCode.UNSUPPORTED, mapping.file() + ": has no productByName query; add one to look products up by name");
        }
        return product("productByName", "name", name);
    }

    private Optional<Product> product(String queryName, String parameter, String value) {
        return read(connection -> {
            List<Row> rows = run(connection, queryName, Map.of(parameter, value));
            if (rows.isEmpty()) {
                return Optional.empty();
            }
            if (rows.size() > 1) {
                throw new FactsUnavailableException("query " + queryName + " of " + mapping.file() + " returned " + rows.size()
                        + " rows for " + parameter + " '" + value + "'; expected at most one");
            }
            Row row = rows.get(0);
            String id = row.has("id") ? row.text("id") : value;
            Map<String, Map<String, Integer>> stock = stock(connection, id);
            List<String> colors = new ArrayList<>(stock.keySet());
            List<String> sizes = new ArrayList<>();
            stock.values().forEach(bySize -> bySize.keySet().forEach(size -> {
                if (!sizes.contains(size)) {
                    sizes.add(size);
                }
            }));
            Map<String, Map<String, Integer>> complete = new LinkedHashMap<>();
            stock.forEach((color, bySize) -> {
                Map<String, Integer> all = new LinkedHashMap<>();
                sizes.forEach(size -> all.put(size, bySize.getOrDefault(size, 0)));
                complete.put(color, all);
            });
            return Optional.of(new Product(id, row.text("name"), row.text("category"), row.integer("price", 0, 100_000_000), sizes, colors,
                    complete, row.optionalText("material"), row.optionalText("care"), row.optionalText("sizeChart"),
                    row.has("restockDays") ? row.integer("restockDays", 0, 3650) : 0));
        });
    }

    /** The stock per colour and size, both in the order the query returns them. */
    private Map<String, Map<String, Integer>> stock(Connection connection, String productId) throws SQLException {
        Map<String, Map<String, Integer>> stock = new LinkedHashMap<>();
        for (Row row : run(connection, "stock", Map.of("productId", productId))) {
            String color = row.text("color");
            String size = row.text("size");
            if (stock.computeIfAbsent(color, c -> new LinkedHashMap<>()).put(size, row.integer("stock", 0, 100_000_000)) != null) {
                throw new FactsUnavailableException("query stock of " + mapping.file() + " returned " + color + "/" + size
                        + " twice for product " + productId);
            }
        }
        if (stock.isEmpty()) {
            throw new FactsUnavailableException("query stock of " + mapping.file() + " returned no rows for product " + productId
                    + "; a product needs at least one colour and size");
        }
        return stock;
    }

    @Override
    public Optional<SizeChart> sizeChart(String id) {
        if (mapping.query("sizeChart").isEmpty()) {
            return Optional.empty();
        }
        return read(connection -> {
            List<SizeChart.Row> rows = new ArrayList<>();
            for (Row row : run(connection, "sizeChart", Map.of("id", id))) {
                rows.add(new SizeChart.Row(row.text("size"), row.integer("heightMin", 0, 300), row.integer("heightMax", 0, 300),
                        row.integer("weightMin", 0, 500), row.integer("weightMax", 0, 500)));
            }
            return rows.isEmpty() ? Optional.empty() : Optional.of(new SizeChart(id, id, rows));
        });
    }

    @Override
    public List<Promotion> promotions(LocalDate day) {
        return read(connection -> {
            List<Promotion> running = new ArrayList<>();
            for (Row row : run(connection, "promotions", Map.of("day", day))) {
                String type = row.text("type");
                PromotionType parsed = PromotionType.fromWireName(type);
                if (parsed == null) {
                    throw row.bad("type", "unknown promotion type '" + type + "'; expected full_reduction or coupon");
                }
                String categories = row.optionalText("categories");
                Promotion promotion = new Promotion(row.text("id"), parsed, row.has("threshold") ? row.integer("threshold", 0, 100_000_000) : 0,
                        row.integer("amount", 1, 100_000_000), row.date("validFrom"), row.date("validTo"),
                        categories.isBlank() ? List.of() : List.of(categories.strip().split("\\s*,\\s*")),
                        row.optionalText("howToGet"), row.optionalText("audience"));
                if (promotion.activeOn(day)) {
                    running.add(promotion);
                }
            }
            return running;
        });
    }

    @Override
    public ShopPolicies policies() {
        return read(connection -> {
            List<Row> rows = run(connection, "policies", Map.of());
            if (rows.size() != 1) {
                throw new FactsUnavailableException("query policies of " + mapping.file() + " returned " + rows.size() + " rows; expected one");
            }
            try {
                return ShopJson.policies("query policies of " + mapping.file() + ", column " + mapping.queries().get("policies").columns()
                        .get("document"), rows.get(0).text("document"));
            } catch (KefuException e) {
                throw new FactsUnavailableException(e.getMessage(), e);
            }
        });
    }

    @Override
    public String description() {
        return mapping.redactedUrl() + " through " + mapping.file();
    }

    /** Closes the connections. Idempotent. */
    @Override
    public void close() {
        connections.close();
    }

    private <T> T read(Work<T> work) {
        try (ShopConnections.Lease lease = connections.borrow()) {
            try {
                return work.run(lease.connection());
            } catch (SQLException e) {
                lease.broken();
                throw e;
            }
        } catch (SQLException e) {
            throw new FactsUnavailableException("the shop database " + mapping.redactedUrl() + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Runs one named query with its parameters bound by name, reading every row. */
    private List<Row> run(Connection connection, String queryName, Map<String, Object> values) throws SQLException {
        FactsMapping.Query query = mapping.queries().get(queryName);
        try (PreparedStatement statement = connection.prepareStatement(query.sql().jdbcSql())) {
            if (!postgres) {
                // PostgreSQL's driver cancels a timed-out statement over a new connection, which a stalled server never
                // answers; there the server's statement_timeout and the socket timeout bound it instead
                statement.setQueryTimeout((int) Math.max(1, mapping.timeout().toSeconds()));
            }
            List<String> parameters = query.sql().parameters();
            for (int i = 0; i < parameters.size(); i++) {
                Object value = values.get(parameters.get(i));
                if (value instanceof LocalDate day) {
                    statement.setDate(i + 1, java.sql.Date.valueOf(day));
                } else {
                    statement.setString(i + 1, (String) value);
                }
            }
            try (ResultSet result = statement.executeQuery()) {
                ResultSetMetaData meta = result.getMetaData();
                Map<String, Integer> labels = new HashMap<>();
                for (int c = 1; c <= meta.getColumnCount(); c++) {
                    labels.putIfAbsent(meta.getColumnLabel(c).toLowerCase(Locale.ROOT), c);
                }
                Map<String, Boolean> fields = FactsMapping.FIELDS.get(queryName);
                fields.forEach((field, required) -> {
                    if (required && !labels.containsKey(query.columns().get(field))) {
                        throw new FactsUnavailableException("query " + queryName + " of " + mapping.file() + " has no column '"
                                + query.columns().get(field) + "' for field " + field + "; its columns are " + labels.keySet());
                    }
                });
                List<Row> rows = new ArrayList<>();
                while (result.next()) {
                    Map<String, Object> row = new HashMap<>();
                    for (String field : fields.keySet()) {
                        Integer column = labels.get(query.columns().get(field));
                        if (column != null) {
                            row.put(field, result.getObject(column));
                        }
                    }
                    rows.add(new Row(queryName, query.columns(), row));
                }
                return rows;
            }
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** One row's values by field, with typed getters whose errors name the query and column. */
    private final class Row {
        private final String query;
        private final Map<String, String> columns;
        private final Map<String, Object> values;

        Row(String query, Map<String, String> columns, Map<String, Object> values) {
            this.query = query;
            this.columns = columns;
            this.values = values;
        }

        boolean has(String field) {
            return values.get(field) != null;
        }

        String text(String field) {
            Object value = values.get(field);
            if (value == null || value.toString().isBlank()) {
                throw bad(field, "is empty (NULL or blank)");
            }
            return value.toString().strip();
        }

        String optionalText(String field) {
            Object value = values.get(field);
            return value == null ? "" : value.toString().strip();
        }

        int integer(String field, int min, int max) {
            Object value = values.get(field);
            BigDecimal number;
            try {
                number = value instanceof BigDecimal d ? d : value instanceof Number n ? new BigDecimal(n.toString())
                        : new BigDecimal(text(field));
            } catch (NumberFormatException e) {
                throw bad(field, "'" + value + "' is not a number");
            }
            if (number.stripTrailingZeros().scale() > 0 || number.compareTo(BigDecimal.valueOf(min)) < 0
                    || number.compareTo(BigDecimal.valueOf(max)) > 0) {
                throw bad(field, number.toPlainString() + " is not a whole number in [" + min + ", " + max + "]");
            }
            return number.intValueExact();
        }

        LocalDate date(String field) {
            Object value = values.get(field);
            if (value instanceof java.sql.Date d) {
                return d.toLocalDate();
            }
            if (value instanceof LocalDate d) {
                return d;
            }
            if (value instanceof Timestamp t) {
                return t.toLocalDateTime().toLocalDate();
            }
            try {
                return LocalDate.parse(text(field));
            } catch (DateTimeParseException e) {
                throw bad(field, "'" + value + "' is not a date");
            }
        }

        FactsUnavailableException bad(String field, String reason) {
            return new FactsUnavailableException("query " + query + " of " + mapping.file() + ", column " + columns.get(field)
                    + " (" + field + "): " + reason);
        }
    }
}
