package io.kefu.server.facts;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A mapping file: how to read a shop's facts from its own database. YAML:
 * <pre>
 * url: jdbc:postgresql://127.0.0.1:5432/shop     # or jdbc:mariadb://..., any JDBC URL whose driver is on the class path
 * user: kefu_reader
 * passwordEnv: SHOP_DB_PASSWORD                  # or passwordFile: db-password.txt (relative to this file); never inline
 * timeoutSeconds: 5                              # connecting, waiting for a connection, each statement (default 5)
 * poolSize: 4                                    # connections open at once (default 4)
 * shopName: 栀语女装
 * queries:
 *   product:      {sql: "SELECT ... WHERE code = :id", columns: {name: title, price: price_yuan}}
 *   stock:        {sql: "SELECT colour, size, qty FROM sku WHERE code = :productId ORDER BY ...", columns: {color: colour, stock: qty}}
 *   promotions:   {sql: "SELECT ... WHERE :day BETWEEN starts AND ends"}
 *   policies:     {sql: "SELECT document FROM shop_policies"}
 *   sizeChart:    {sql: "SELECT ... WHERE chart = :id ORDER BY position"}      # optional
 *   productByName: {sql: "SELECT ... WHERE title = :name"}                     # optional
 * </pre>
 * Each query names its parameters ({@link Query#PARAMETERS}), bound by the driver; {@code columns} maps a field to the
 * column that holds it (default: the column named like the field, in any case). Every problem is a {@link KefuException}
 * ({@link ErrorCode#INVALID_CONFIG}) naming {@code file:line} and the key.
 *
 * @param file the file read
 * @param url the JDBC URL
 * @param user the database user, or null
 * @param password the password (from the environment or a file), or null
 * @param timeout the timeout of connecting and of each statement
 * @param poolSize the most connections open at once
 * @param shopName the shop's name
 * @param queries the queries by name
 */
record FactsMapping(Path file, String url, String user, String password, Duration timeout, int poolSize, String shopName,
                    Map<String, Query> queries) {
    /** The fields each query returns, and whether each is required. */
    static final Map<String, Map<String, Boolean>> FIELDS = Map.of(
            "product", fields("name category price", "id material care sizeChart restockDays"),
            "productByName", fields("id name category price", "material care sizeChart restockDays"),
            "stock", fields("color size stock", ""),
            "sizeChart", fields("size heightMin heightMax weightMin weightMax", ""),
            "promotions", fields("id type amount validFrom validTo", "threshold categories howToGet audience"),
            "policies", fields("document", ""));
    /** The queries a mapping must have. */
    static final List<String> REQUIRED_QUERIES = List.of("product", "stock", "promotions", "policies");

    FactsMapping {
        queries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(queries));
    }

    /**
     * One named query.
     *
     * @param name its name in the file ({@code product}, {@code stock} ...)
     * @param sql the statement, with {@code ?} for its parameters
     * @param columns field name to column label (lower case), for every field it returns
     */
    record Query(String name, NamedSql sql, Map<String, String> columns) {
        /** The parameters each query must use ({@code promotions} may leave {@code :day} out and filter nothing). */
        static final Map<String, Set<String>> PARAMETERS = Map.of("product", Set.of("id"), "productByName", Set.of("name"),
                "stock", Set.of("productId"), "sizeChart", Set.of("id"), "promotions", Set.of("day"), "policies", Set.of());

        Query {
            columns = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        }
    }

    /** @return the query with this name, if the file has it */
    Optional<Query> query(String name) {
        return Optional.ofNullable(queries.get(name));
    }

    /** @return the URL without its query string (which may hold credentials) */
    String redactedUrl() {
        int at = url.indexOf('?');
        return at < 0 ? url : url.substring(0, at);
    }

    private static Map<String, Boolean> fields(String required, String optional) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (String f : required.split(" ")) {
            out.put(f, true);
        }
        for (String f : optional.split(" ")) {
            if (!f.isEmpty()) {
                out.put(f, false);
            }
        }
        return out;
    }

    /**
     * Reads and checks a mapping file.
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when the file does not exist, {@link ErrorCode#INVALID_CONFIG}
     *     naming {@code file:line} and the key otherwise
     */
    static FactsMapping load(Path file) {
        return load(file, System::getenv);
    }

    static FactsMapping load(Path file, Function<String, String> environment) {
        Node root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).setAllowDuplicateKeys(false).build();
            root = new Compose(settings).composeReader(reader).orElseThrow(
                    () -> new KefuException(ErrorCode.INVALID_CONFIG, file + ": the mapping file is empty"));
        } catch (NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, file + ": mapping file does not exist", e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot read the mapping file: " + e.getMessage(), e);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(0);
            throw new KefuException(ErrorCode.INVALID_CONFIG, file + ":" + line + ": not valid YAML: " + e.getProblem(), e);
        } catch (YamlEngineException e) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, file + ": not valid YAML: " + e.getMessage(), e);
        }
        return new Reading(file, environment).mapping(root);
    }

    /** Walks the YAML nodes, keeping the file and line for every message. */
    private record Reading(Path file, Function<String, String> environment) {
        FactsMapping mapping(Node root) {
            Map<String, Node> top = entries(root, "the mapping file", Set.of("url", "user", "password", "passwordEnv", "passwordFile",
                    "timeoutSeconds", "poolSize", "shopName", "queries"));
            String url = text(required(top, root, "url"), "url");
            if (!url.startsWith("jdbc:")) {
                throw error(top.get("url"), "url: expected a JDBC URL (jdbc:postgresql://..., jdbc:mariadb://...), got '" + url + "'");
            }
            if (top.containsKey("password")) {
                throw error(top.get("password"), "password: do not write the password into the mapping file; name an environment"
                        + " variable (passwordEnv) or a file (passwordFile) that holds it");
            }
            if (top.containsKey("passwordEnv") && top.containsKey("passwordFile")) {
                throw error(top.get("passwordFile"), "passwordFile: give passwordEnv or passwordFile, not both");
            }
            String password = null;
            if (top.containsKey("passwordEnv")) {
                String variable = text(top.get("passwordEnv"), "passwordEnv");
                password = environment.apply(variable);
                if (password == null) {
                    throw error(top.get("passwordEnv"), "passwordEnv: the environment variable " + variable + " is not set");
                }
            } else if (top.containsKey("passwordFile")) {
                password = passwordFile(top.get("passwordFile"));
            }
            int timeout = top.containsKey("timeoutSeconds") ? integer(top.get("timeoutSeconds"), "timeoutSeconds", 1, 300) : 5;
            int pool = top.containsKey("poolSize") ? integer(top.get("poolSize"), "poolSize", 1, 100) : 4;
            Node queriesNode = required(top, root, "queries");
            Map<String, Node> queryNodes = entries(queriesNode, "queries", FIELDS.keySet());
            for (String name : REQUIRED_QUERIES) {
                if (!queryNodes.containsKey(name)) {
                    throw error(queriesNode, "queries: the query '" + name + "' is required (the mapping needs " + REQUIRED_QUERIES + ")");
                }
            }
            Map<String, Query> queries = new LinkedHashMap<>();
            queryNodes.forEach((name, node) -> queries.put(name, query(name, node)));
            return new FactsMapping(file, url, top.containsKey("user") ? text(top.get("user"), "user") : null, password,
                    Duration.ofSeconds(timeout), pool, text(required(top, root, "shopName"), "shopName"), queries);
        }

        private Query query(String name, Node node) {
            String key = "queries." + name;
            Map<String, Node> entries = entries(node, key, Set.of("sql", "columns"));
            Node sqlNode = required(entries, node, "sql");
            NamedSql sql = NamedSql.parse(text(sqlNode, key + ".sql"));
            Set<String> allowed = Query.PARAMETERS.get(name);
            for (String parameter : sql.parameters()) {
                if (!allowed.contains(parameter)) {
                    throw error(sqlNode, key + ".sql: unknown parameter :" + parameter + "; this query takes "
                            + (allowed.isEmpty() ? "no parameters" : allowed.stream().map(p -> ":" + p).sorted().toList()));
                }
            }
            if (!name.equals("promotions") && !allowed.isEmpty() && !sql.parameters().containsAll(allowed)) {
                throw error(sqlNode, key + ".sql: must use " + allowed.stream().map(p -> ":" + p).sorted().toList()
                        + " (otherwise every lookup would read the same rows)");
            }
            Map<String, Boolean> fields = FIELDS.get(name);
            Map<String, String> columns = new LinkedHashMap<>();
            fields.keySet().forEach(f -> columns.put(f, f.toLowerCase(java.util.Locale.ROOT)));
            if (entries.containsKey("columns")) {
                entries(entries.get("columns"), key + ".columns", fields.keySet()).forEach((field, column) ->
                        columns.put(field, text(column, key + ".columns." + field).toLowerCase(java.util.Locale.ROOT)));
            }
            return new Query(name, sql, columns);
        }

        private String passwordFile(Node node) {
            Path path = file.toAbsolutePath().getParent().resolve(text(node, "passwordFile"));
            try {
                String password = Files.readString(path, StandardCharsets.UTF_8).strip();
                if (password.isEmpty()) {
                    throw error(node, "passwordFile: " + path + " is empty");
                }
                return password;
            } catch (IOException e) {
                throw error(node, "passwordFile: cannot read " + path + ": " + e.getMessage());
            }
        }

        /** The entries of a mapping node; an unknown key is an error naming the ones allowed. */
        private Map<String, Node> entries(Node node, String what, Set<String> allowed) {
            if (!(node instanceof MappingNode mapping)) {
                throw error(node, what + ": expected a mapping (key: value)");
            }
            Map<String, Node> out = new LinkedHashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                    throw error(tuple.getKeyNode(), what + ": keys must be plain names");
                }
                if (!allowed.contains(key.getValue())) {
                    throw error(key, what + ": unknown key '" + key.getValue() + "'; expected one of " + new java.util.TreeSet<>(allowed));
                }
                out.put(key.getValue(), tuple.getValueNode());
            }
            return out;
        }

        private Node required(Map<String, Node> entries, Node parent, String key) {
            Node node = entries.get(key);
            if (node == null) {
                throw error(parent, key + ": is required");
            }
            return node;
        }

        private String text(Node node, String key) {
            if (!(node instanceof ScalarNode scalar) || scalar.getValue().isBlank()) {
                throw error(node, key + ": expected a non-empty text");
            }
            return scalar.getValue().strip();
        }

        private int integer(Node node, String key, int min, int max) {
            String value = text(node, key);
            try {
                int n = Integer.parseInt(value);
                if (n < min || n > max) {
                    throw error(node, key + ": " + n + " is out of range [" + min + ", " + max + "]");
                }
                return n;
            } catch (NumberFormatException e) {
                throw error(node, key + ": expected a whole number, got '" + value + "'");
            }
        }

        private KefuException error(Node node, String message) {
            int line = node.getStartMark().map(Mark::getLine).orElse(-1) + 1;
            return new KefuException(ErrorCode.INVALID_CONFIG, file + ":" + line + ": " + message);
        }
    }
}
