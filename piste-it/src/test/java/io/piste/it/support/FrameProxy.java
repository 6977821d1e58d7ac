package io.piste.it.support;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy between Kafka clients and one broker that understands Kafka framing just enough to lose a
 * Produce response on purpose: the broker has written the batch, the client never hears so and retries.
 *
 * <pre>
 * request frame:  int32 size | int16 api_key | int16 api_version | int32 correlation_id | ...
 * response frame: int32 size | int32 correlation_id | ...
 * </pre>
 *
 * <p>The n-th Produce response from the broker (counted from 1 over all connections), for each n in
 * {@code dropProduceResponses}, is dropped and both sides of that connection are closed, so the requests in
 * flight on it are lost too. Everything else is passed on unchanged. Start the broker with
 * {@code advertised.listeners=PLAINTEXT://127.0.0.1:<proxy port>} so that clients come back through the proxy.
 */
public final class FrameProxy implements AutoCloseable {
    private static final short PRODUCE = 0;
    private static final int MAX_FRAME_BYTES = 128 * 1024 * 1024;

    private final ServerSocket server;
    private final Set<Integer> dropProduceResponses;
    private final AtomicInteger produceRequests = new AtomicInteger();
    private final AtomicInteger produceResponses = new AtomicInteger();
    private final AtomicInteger droppedResponses = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile int upstreamPort;
    private volatile boolean closed;

    private FrameProxy(final ServerSocket server, final Set<Integer> dropProduceResponses) {
        this.server = server;
        this.dropProduceResponses = Set.copyOf(dropProduceResponses);
    }

    /** Binds a loopback port now; connections are accepted once {@link #forwardTo(int)} named the broker. */
    public static FrameProxy bind(final Set<Integer> dropProduceResponses) throws IOException {
        final ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new FrameProxy(server, dropProduceResponses);
    }

    public int port() {
        return server.getLocalPort();
    }

    public void forwardTo(final int brokerPort) {
        upstreamPort = brokerPort;
        final Thread acceptor = new Thread(this::acceptLoop, "proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Produce requests seen so far. */
    public int produceRequests() {
        return produceRequests.get();
    }

    /** Produce responses dropped so far. */
    public int droppedResponses() {
        return droppedResponses.get();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (final Socket socket : sockets) {
            closeQuietly(socket);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                final Socket client = server.accept();
                final Socket broker = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                client.setTcpNoDelay(true);
                broker.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(broker);
                final Set<Integer> produceIds = ConcurrentHashMap.newKeySet();
                start("proxy-requests-" + client.getPort(), () -> pumpRequests(client, broker, produceIds));
                start("proxy-responses-" + client.getPort(), () -> pumpResponses(broker, client, produceIds));
            } catch (final IOException e) {
                if (!closed) {
                    System.err.println("proxy accept failed: " + e);
                }
            }
        }
    }

    private void pumpRequests(final Socket client, final Socket broker, final Set<Integer> produceIds) {
        try {
            final DataInputStream in = new DataInputStream(client.getInputStream());
            final DataOutputStream out = new DataOutputStream(broker.getOutputStream());
            while (true) {
                final byte[] frame = readFrame(in);
                final ByteBuffer header = ByteBuffer.wrap(frame);
                if (frame.length >= 8 && header.getShort(0) == PRODUCE) {
                    produceRequests.incrementAndGet();
                    produceIds.add(header.getInt(4));
                }
                writeFrame(out, frame);
            }
        } catch (final IOException e) {
            closeQuietly(client);
            closeQuietly(broker);
        }
    }

    private void pumpResponses(final Socket broker, final Socket client, final Set<Integer> produceIds) {
        try {
            final DataInputStream in = new DataInputStream(broker.getInputStream());
            final DataOutputStream out = new DataOutputStream(client.getOutputStream());
            while (true) {
                final byte[] frame = readFrame(in);
                if (frame.length >= 4
                        && produceIds.remove(ByteBuffer.wrap(frame).getInt(0))
                        && dropProduceResponses.contains(produceResponses.incrementAndGet())) {
                    // The broker has answered, so it has appended the batch; the client must not learn it.
                    droppedResponses.incrementAndGet();
                    closeQuietly(client);
                    closeQuietly(broker);
                    return;
                }
                writeFrame(out, frame);
            }
        } catch (final IOException e) {
            closeQuietly(client);
            closeQuietly(broker);
        }
    }

    private static byte[] readFrame(final DataInputStream in) throws IOException {
        final int size = in.readInt();
        if (size < 0 || size > MAX_FRAME_BYTES) {
            throw new IOException("frame size out of range: size=" + size);
        }
        final byte[] frame = new byte[size];
        in.readFully(frame);
        return frame;
    }

    private static void writeFrame(final DataOutputStream out, final byte[] frame) throws IOException {
        out.writeInt(frame.length);
        out.write(frame);
        out.flush();
    }

    private static void start(final String name, final Runnable runnable) {
        final Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(final Socket socket) {
        try {
            socket.close();
        } catch (final IOException | RuntimeException e) {
            // Already closed by the other pump, or the peer went away: nothing left to do.
        }
    }
}
