package io.piste.cluster.controller;

import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.BrokerImage;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Whether a broker's process is gone, as a connection to its registered listener says: refused means nothing
 * listens on that port (the process died, or has not bound yet after a restart, when its old registration is stale
 * anyway). Anything else, an accepted connection, a timeout, an unreachable host, says nothing: a paused process's
 * socket still accepts, and a cut network drops or times out.
 */
final class ListenerProbe {
    private ListenerProbe() {}

    /** True only if a connection to the broker's first endpoint was refused within {@code timeoutMs}. */
    static boolean refused(BrokerImage broker, long timeoutMs) {
        if (broker.endpoints().isEmpty()) {
            return false;
        }
        BrokerEndpoint endpoint = broker.endpoints().get(0);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), (int) timeoutMs);
            return false;
        } catch (ConnectException e) {
            // also thrown for a kernel connect timeout (ETIMEDOUT): only ECONNREFUSED says nothing listens
            return e.getMessage() != null && e.getMessage().contains("refused");
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }
}
