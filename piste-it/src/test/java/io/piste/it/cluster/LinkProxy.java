package io.piste.it.cluster;

import io.piste.it.support.Bounded;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of one port of one node: everyone reaches the node's quorum member or broker listener
 * through it, and it forwards each connection's bytes in both directions as the {@link Links} allow, knowing from
 * {@link ConnectionOrigins} which node (or client) is at the other end. Two threads per connection, blocking I/O:
 * test traffic only.
 */
final class LinkProxy implements AutoCloseable {
    private static final Duration HELD_POLL = Duration.ofMillis(10);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final int node;
    private final Links.Channel channel;
    private final int targetPort;
    private final Links links;
    private final ConnectionOrigins origins;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Listens on {@code listenPort} of loopback and forwards to the node's {@code targetPort}. */
    LinkProxy(int node, Links.Channel channel, int listenPort, int targetPort, Links links, ConnectionOrigins origins)
            throws IOException {
        this.node = node;
        this.channel = channel;
        this.targetPort = targetPort;
        this.links = links;
        this.origins = origins;
        this.server = new ServerSocket(listenPort, 50, LOOPBACK);
        Thread acceptor = new Thread(this::accept, "proxy-" + channel + "-" + node);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket accepted = server.accept();
                int origin = origins.originOf(accepted.getPort(), server.getLocalPort());
                Socket upstream;
                try {
                    upstream = new Socket(LOOPBACK, targetPort);
                } catch (IOException e) {
                    accepted.close(); // the node is down: refused, as without the proxy
                    continue;
                }
                sockets.add(accepted);
                sockets.add(upstream);
                pump(accepted, upstream, origin, node);
                pump(upstream, accepted, node, origin);
            } catch (IOException e) {
                if (!closed) {
                    Bounded.sleep(HELD_POLL);
                }
            }
        }
    }

    /** Forwards what {@code from} sends on {@code in} to {@code out}, holding it while that direction is cut. */
    private void pump(Socket in, Socket out, int from, int to) {
        Thread pump = new Thread(
                () -> {
                    byte[] buffer = new byte[64 * 1024];
                    try (InputStream input = in.getInputStream();
                            OutputStream output = out.getOutputStream()) {
                        for (int n; (n = input.read(buffer)) >= 0; ) {
                            while (!links.passes(from, to, channel) && !closed) {
                                Bounded.sleep(HELD_POLL);
                            }
                            long delay = links.delayMillis(from, to);
                            if (delay > 0) {
                                Bounded.sleep(Duration.ofMillis(delay));
                            }
                            output.write(buffer, 0, n);
                        }
                    } catch (IOException e) {
                        // either end closed: close the other below
                    } finally {
                        closeQuietly(in);
                        closeQuietly(out);
                    }
                },
                "proxy-" + channel + "-" + from + ">" + to);
        pump.setDaemon(true);
        pump.start();
    }

    private void closeQuietly(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        sockets.forEach(this::closeQuietly);
    }
}
