package io.piste.broker;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

/** A blocking Kafka protocol connection over a plain socket, for tests of an in-process broker. */
final class RawConnection implements AutoCloseable {

    private static final int READ_TIMEOUT_MS = 30_000;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int nextCorrelationId;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawConnection open(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        return new RawConnection(socket);
    }

    /** Sends one request (size prefix, header, body) without waiting for its answer. */
    void send(AbstractRequest request) throws IOException {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "raw", nextCorrelationId++);
        ByteBuffer body = request.serializeWithHeader(header);
        byte[] frame = new byte[4 + body.remaining()];
        ByteBuffer.wrap(frame).putInt(body.remaining()).put(body);
        out.write(frame);
        out.flush();
    }

    /** Reads the next answer, of a request of {@code key} at {@code version}. */
    ApiMessage receive(ApiKeys key, short version) throws IOException {
        int size = in.readInt();
        byte[] bytes = new byte[size];
        in.readFully(bytes);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        ResponseHeader.parse(buffer, key.responseHeaderVersion(version));
        return AbstractResponse.parseResponse(key, new ByteBufferAccessor(buffer), version)
                .data();
    }

    ApiMessage call(AbstractRequest request) throws IOException {
        send(request);
        return receive(request.apiKey(), request.version());
    }

    /**
     * Whether the broker closes the connection within {@code timeoutMs} (end of stream or a reset); false if it is
     * still open then. Any bytes the broker sends meanwhile are skipped.
     */
    boolean closedByBrokerWithin(long timeoutMs) throws IOException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (true) {
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0) {
                return false;
            }
            socket.setSoTimeout((int) leftMs);
            try {
                if (in.read() < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (EOFException e) {
                return true;
            } catch (IOException e) {
                // a reset: closed too
                return true;
            } finally {
                socket.setSoTimeout(READ_TIMEOUT_MS);
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
