package io.kefu.server.facts;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShopConnectionsTest {
    private static final String URL = "jdbc:h2:mem:shop-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

    @Test
    void aConnectionGivenBackIsLentAgainAndABrokenOneIsClosed() throws Exception {
        try (ShopConnections connections = new ShopConnections(URL, new Properties(), Duration.ofSeconds(1), 2)) {
            Connection first;
            try (ShopConnections.Lease lease = connections.borrow()) {
                first = lease.connection();
                try (Statement s = first.createStatement()) {
                    assertThat(s.executeQuery("SELECT 1").next()).isTrue();
                }
            }
            try (ShopConnections.Lease lease = connections.borrow()) {
                assertThat(lease.connection()).isSameAs(first);
                lease.broken();
            }
            assertThat(first.isClosed()).isTrue();
            try (ShopConnections.Lease lease = connections.borrow()) {
                assertThat(lease.connection()).isNotSameAs(first);
            }
        }
    }

    @Test
    void anIdleConnectionThatNoLongerAnswersIsReplaced() throws Exception {
        try (ShopConnections connections = new ShopConnections(URL, new Properties(), Duration.ofSeconds(1), 1)) {
            Connection first;
            try (ShopConnections.Lease lease = connections.borrow()) {
                first = lease.connection();
            }
            first.close();
            try (ShopConnections.Lease lease = connections.borrow()) {
                assertThat(lease.connection()).isNotSameAs(first);
                assertThat(lease.connection().isValid(1)).isTrue();
            }
        }
    }

    @Test
    void aQuestionWaitsAtMostTheTimeoutWhenEveryConnectionIsBusy() throws Exception {
        try (ShopConnections connections = new ShopConnections(URL, new Properties(), Duration.ofMillis(300), 1);
             ShopConnections.Lease busy = connections.borrow()) {
            assertThat(busy.connection().isValid(1)).isTrue();
            assertThatThrownBy(connections::borrow).isInstanceOf(SQLTransientConnectionException.class)
                    .hasMessageContaining("all 1 connections stayed busy");
        }
    }

    @Test
    void aUrlNoDriverTakesIsRefusedAtOnce() {
        assertThatThrownBy(() -> new ShopConnections("jdbc:nosuchdb://127.0.0.1/shop", new Properties(), Duration.ofSeconds(1), 1))
                .isInstanceOf(SQLException.class);
    }

    @Test
    void closingClosesTheIdleConnectionsAndOneGivenBackLater() throws Exception {
        ShopConnections connections = new ShopConnections(URL, new Properties(), Duration.ofSeconds(1), 2);
        ShopConnections.Lease idle = connections.borrow();
        ShopConnections.Lease out = connections.borrow();
        idle.close();
        connections.close();
        assertThat(idle.connection().isClosed()).isTrue();
        assertThat(out.connection().isClosed()).isFalse();
        out.close();
        assertThat(out.connection().isClosed()).isTrue();
        assertThatThrownBy(connections::borrow).isInstanceOf(SQLException.class).hasMessageContaining("closed");
    }
}
