package io.kefu.server.facts;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NamedSqlTest {
    @Test
    void namedParametersBecomePlaceholdersInOrder() {
        NamedSql sql = NamedSql.parse("SELECT * FROM promo WHERE starts <= :day AND ends >= :day AND shop = :shop_id");
        assertThat(sql.jdbcSql()).isEqualTo("SELECT * FROM promo WHERE starts <= ? AND ends >= ? AND shop = ?");
        assertThat(sql.parameters()).containsExactly("day", "day", "shop_id");
    }

    @Test
    void colonsInsideStringsIdentifiersCommentsAndCastsAreLeftAlone() {
        NamedSql sql = NamedSql.parse("SELECT ':not', \"a:b\", `c:d`, price::int, 'it''s :x' -- :comment\n"
                + "/* :block */ FROM t WHERE id = :id");
        assertThat(sql.jdbcSql()).isEqualTo("SELECT ':not', \"a:b\", `c:d`, price::int, 'it''s :x' -- :comment\n"
                + "/* :block */ FROM t WHERE id = ?");
        assertThat(sql.parameters()).containsExactly("id");
    }

    @Test
    void aStatementWithoutParametersIsUnchanged() {
        NamedSql sql = NamedSql.parse("SELECT doc FROM shop_policy WHERE t > '10:30'");
        assertThat(sql.jdbcSql()).isEqualTo("SELECT doc FROM shop_policy WHERE t > '10:30'");
        assertThat(sql.parameters()).isEmpty();
    }
}
