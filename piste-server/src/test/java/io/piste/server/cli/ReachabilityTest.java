package io.piste.server.cli;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The check before a command: one listening address is enough; refused and malformed ones are named. */
class ReachabilityTest {

    @Test
    void shouldPassWhenOneAddressListens() throws Exception {
        int closed = closedPort();
        try (ServerSocket open = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            assertThatCode(() -> Reachability.check("127.0.0.1:" + closed + ", 127.0.0.1:" + open.getLocalPort(), 2000))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void shouldNameEveryAddressThatFailed() throws Exception {
        int closed = closedPort();
        assertThatThrownBy(() -> Reachability.check("127.0.0.1:" + closed + ",nonsense,[::1]:x", 2000))
                .isInstanceOf(CliException.class)
                .hasMessage("cannot reach 127.0.0.1:" + closed + ",nonsense,[::1]:x: connection refused; nonsense is"
                        + " not HOST:PORT; [::1]:x has no valid port (is a broker running there? --bootstrap-server"
                        + " to change)");
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
