package io.kefu.server.facts;

import java.util.ArrayList;
import java.util.List;

/**
 * An SQL statement with named parameters ({@code :id}), turned into a JDBC one with {@code ?} placeholders, so every
 * value is bound by the driver and never spliced into the text. {@code :name} counts only outside quoted strings,
 * quoted identifiers and comments; PostgreSQL's {@code ::type} casts are left alone.
 *
 * @param jdbcSql the statement with {@code ?} in place of each parameter
 * @param parameters the parameter name of each {@code ?}, in order (a name used twice appears twice)
 */
record NamedSql(String jdbcSql, List<String> parameters) {
    NamedSql {
        parameters = List.copyOf(parameters);
    }

    static NamedSql parse(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        List<String> names = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                int end = closing(sql, i, c);
                out.append(sql, i, end);
                i = end;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.append(sql, i, end);
                i = end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                out.append(sql, i, end);
                i = end;
            } else if (c == ':' && i + 1 < n && sql.charAt(i + 1) == ':') {
                out.append("::");
                i += 2;
            } else if (c == ':' && i + 1 < n && Character.isJavaIdentifierStart(sql.charAt(i + 1)) && sql.charAt(i + 1) != '$') {
                int end = i + 1;
                while (end < n && Character.isJavaIdentifierPart(sql.charAt(end)) && sql.charAt(end) != '$') {
                    end++;
                }
                names.add(sql.substring(i + 1, end));
                out.append('?');
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return new NamedSql(out.toString(), names);
    }

    /** @return the index just past the quote that closes the one at {@code start} (a doubled quote stays inside) */
    private static int closing(String sql, int start, char quote) {
        int i = start + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            if (sql.charAt(i) == '\\' && quote == '\'' && i + 1 < sql.length()) {
                i += 2;
                continue;
            }
            i++;
        }
        return sql.length();
    }
}
