package dev.mailwright.store.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.store.AlreadyExistsException;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.StoreUnavailableException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class SqlErrorsTest {

    @Test
    void passingFailuresBecomeStoreUnavailable() {
        for (String state : new String[] {"08001", "08006", "40001", "40P01", "57014", "57P01", "57P02", "57P03", "53300"}) {
            assertThat(SqlErrors.map(new SQLException("x", state), "deliver")).as(state)
                    .isInstanceOf(StoreUnavailableException.class).hasMessageStartingWith("deliver: ");
        }
        // HikariCP's "connection is not available, request timed out"
        assertThat(SqlErrors.map(new SQLTransientConnectionException("timeout"), "deliver"))
                .isInstanceOf(StoreUnavailableException.class);
    }

    @Test
    void aWriteOnAReadOnlyServerIsTemporaryAndRetiresThePool() {
        SQLException readOnly = new SQLException("cannot execute INSERT in a read-only transaction", "25006");
        assertThat(SqlErrors.map(readOnly, "deliver")).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("read-only");
        assertThat(SqlErrors.isReadOnlyServer(readOnly)).isTrue();
        assertThat(SqlErrors.isReadOnlyServer(new SQLException("x", "25P02"))).isFalse();
    }

    @Test
    void constraintViolationsArePermanent() {
        assertThat(SqlErrors.map(new SQLException("dup", "23505"), "add")).isInstanceOf(AlreadyExistsException.class);
        assertThat(SqlErrors.map(new SQLException("fk", "23503"), "add")).isInstanceOf(InvalidInputException.class);
        assertThat(SqlErrors.map(new SQLException("check", "23514"), "add")).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void onlyConflictsAreRetriedAndOnlyConnectionLossEvictsThePool() {
        assertThat(SqlErrors.isRetryableConflict(new SQLException("x", "40001"))).isTrue();
        assertThat(SqlErrors.isRetryableConflict(new SQLException("x", "40P01"))).isTrue();
        assertThat(SqlErrors.isRetryableConflict(new SQLException("x", "08006"))).isFalse();
        assertThat(SqlErrors.isConnectionLoss(new SQLException("x", "08006"))).isTrue();
        assertThat(SqlErrors.isConnectionLoss(new SQLException("x", "57P01"))).isTrue();
        assertThat(SqlErrors.isConnectionLoss(new SQLException("x", "23505"))).isFalse();
    }

    @Test
    void messagesDoNotCarrySqlText() {
        SQLException e = new SQLException("ERROR: duplicate key value violates unique constraint \"secret_idx\"", "23505");
        assertThat(SqlErrors.map(e, "add account").getMessage()).doesNotContain("secret_idx");
    }
}
