package io.piste.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.config.BrokerConfig;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code connections.max.idle.ms} on a running broker, over raw connections. */
@Timeout(60)
class IdleConnectionTest {

    private static final long MAX_IDLE_MS = 500;

    @TempDir
    Path dir;

    @Test
    void shouldCloseAConnectionThatSendsNothingAndKeepOneThatKeepsSending() throws Exception {
        try (Broker broker = Broker.start(new BrokerConfig(Map.of(
                        "listeners",
                        "PLAINTEXT://127.0.0.1:0",
                        "log.dirs",
                        dir.toString(),
                        "connections.max.idle.ms",
                        Long.toString(MAX_IDLE_MS))));
                RawConnection silent = RawConnection.open(broker.port());
                RawConnection busy = RawConnection.open(broker.port())) {
            long started = System.nanoTime();
            // Busy asks something every fifth of the idle time, for four times the idle time.
            while (System.nanoTime() - started < 4 * MAX_IDLE_MS * 1_000_000) {
                assertThat(apiVersions(busy)).isEqualTo(Errors.NONE);
                Thread.sleep(MAX_IDLE_MS / 5);
            }

            assertThat(silent.closedByBrokerWithin(MAX_IDLE_MS))
                    .as("closed after idling for four times the bound")
                    .isTrue();
            assertThat(apiVersions(busy)).as("a connection in use is kept").isEqualTo(Errors.NONE);
            assertThat(busy.closedByBrokerWithin(MAX_IDLE_MS / 2)).isFalse();
            assertThat(busy.closedByBrokerWithin(10 * MAX_IDLE_MS))
                    .as("closed once it idles past the bound too")
                    .isTrue();
        }
    }

    @Test
    void shouldKeepIdleConnectionsByDefault() throws Exception {
        try (Broker broker = Broker.start(
                        new BrokerConfig(Map.of("listeners", "PLAINTEXT://127.0.0.1:0", "log.dirs", dir.toString())));
                RawConnection connection = RawConnection.open(broker.port())) {
            assertThat(connection.closedByBrokerWithin(2 * MAX_IDLE_MS)).isFalse();
            assertThat(apiVersions(connection)).isEqualTo(Errors.NONE);
        }
    }

    private static Errors apiVersions(RawConnection connection) throws Exception {
        ApiVersionsResponseData response = (ApiVersionsResponseData) connection.call(new ApiVersionsRequest(
                new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"), (short) 3));
        return Errors.forCode(response.errorCode());
    }
}
