package io.piste.it.support;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A plain socket to a broker for sending bytes no client would send, and seeing what comes back: a response
 * frame, a closed connection, or nothing before a deadline.
 */
public final class RawConnection implements AutoCloseable {
    /** What the broker did after a request. */
    public enum Outcome {
        RESPONSE,
        CLOSED,
        NOTHING
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private byte[] lastResponse;

    private RawConnection(final Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static RawConnection open(final int port) throws IOException {
        final Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        socket.setSoLinger(true, 0);
        return new RawConnection(socket);
    }

    /** Writes bytes as they are; false if the broker had already closed the connection. */
    public boolean send(final byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (final IOException e) {
            return false;
        }
    }

    /** Half-closes: the broker sees end of stream after the bytes sent so far. */
    public void shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (final IOException e) {
            // Already closed by the broker: that is an outcome the caller observes on read.
        }
    }

    /** Waits up to {@code timeout} for one whole response frame or the end of the connection. */
    public Outcome await(final Duration timeout) {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            final int size = in.readInt();
            if (size < 0 || size > 64 * 1024 * 1024) {
                throw new AssertionError("broker sent a frame of size " + size);
            }
            final byte[] frame = new byte[size];
            int read = 0;
            while (read < size) {
                final long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0) {
                    return Outcome.NOTHING;
                }
                socket.setSoTimeout((int) leftMs);
                final int n = in.read(frame, read, size - read);
                if (n < 0) {
                    return Outcome.CLOSED;
                }
                read += n;
            }
            lastResponse = frame;
            return Outcome.RESPONSE;
        } catch (final SocketTimeoutException e) {
            return Outcome.NOTHING;
        } catch (final EOFException | SocketException e) {
            return Outcome.CLOSED;
        } catch (final IOException e) {
            return Outcome.CLOSED;
        }
    }

    /** The body of the last response frame (correlation id first). */
    public ByteBuffer lastResponse() {
        return ByteBuffer.wrap(lastResponse);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (final IOException e) {
            // Closing a socket the broker reset: nothing to do.
        }
    }

    /**
     * A request frame with a v1 request header (api_key, api_version, correlation_id, client_id as int16-length
     * string) followed by {@code body}.
     */
    public static byte[] requestV1(
            final int apiKey, final int apiVersion, final int correlationId, final String clientId, final byte[] body) {
        return requestV1(apiKey, apiVersion, correlationId, clientId.getBytes(StandardCharsets.UTF_8), body);
    }

    /** As {@link #requestV1(int, int, int, String, byte[])}, with the client id's bytes as they are (any bytes). */
    public static byte[] requestV1(
            final int apiKey, final int apiVersion, final int correlationId, final byte[] id, final byte[] body) {
        final ByteBuffer frame = ByteBuffer.allocate(4 + 2 + 2 + 4 + 2 + id.length + body.length);
        frame.putInt(frame.capacity() - 4);
        frame.putShort((short) apiKey);
        frame.putShort((short) apiVersion);
        frame.putInt(correlationId);
        frame.putShort((short) id.length);
        frame.put(id);
        frame.put(body);
        return frame.array();
    }

    /** A v2 (flexible) request header: the v1 header plus an empty tagged-field section, then {@code body}. */
    public static byte[] requestV2(
            final int apiKey, final int apiVersion, final int correlationId, final String clientId, final byte[] body) {
        return requestV2(apiKey, apiVersion, correlationId, clientId.getBytes(StandardCharsets.UTF_8), body);
    }

    /** As {@link #requestV2(int, int, int, String, byte[])}, with the client id's bytes as they are (any bytes). */
    public static byte[] requestV2(
            final int apiKey, final int apiVersion, final int correlationId, final byte[] clientId, final byte[] body) {
        final byte[] withTags = new byte[body.length + 1];
        withTags[0] = 0;
        System.arraycopy(body, 0, withTags, 1, body.length);
        return requestV1(apiKey, apiVersion, correlationId, clientId, withTags);
    }
}
