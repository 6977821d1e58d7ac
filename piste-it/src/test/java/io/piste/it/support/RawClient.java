package io.piste.it.support;

import io.piste.it.support.RawConnection.Outcome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * Any request a test builds with the kafka-clients message classes, sent over a {@link RawConnection} as it is
 * (no client-side checks), and its response decoded: for inputs the real clients never send. One request at a
 * time; not thread-safe.
 */
public final class RawClient implements AutoCloseable {
    public static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

    private final RawConnection connection;
    private int correlationId;

    private RawClient(final RawConnection connection) {
        this.connection = connection;
    }

    public static RawClient open(final int port) throws IOException {
        return new RawClient(RawConnection.open(port));
    }

    /** Sends {@code request} as {@code apiKey} v{@code version} without waiting; returns its correlation id. */
    public int send(final ApiKeys apiKey, final short version, final ApiMessage request) {
        final int id = ++correlationId;
        if (!connection.send(frame(apiKey, version, id, request))) {
            throw new AssertionError("broker closed the connection before " + apiKey + " v" + version);
        }
        return id;
    }

    /** The bytes of one request frame (length prefix, header, body), to send through a {@link RawConnection}. */
    public static byte[] frame(
            final ApiKeys apiKey, final short version, final int correlationId, final ApiMessage request) {
        final RequestHeader header = new RequestHeader(apiKey, version, "raw-client", correlationId);
        final ByteBuffer body = RequestUtils.serialize(header.data(), header.headerVersion(), request, version);
        final ByteBuffer frame = ByteBuffer.allocate(4 + body.remaining());
        frame.putInt(body.remaining()).put(body);
        return frame.array();
    }

    /** Sends and waits up to {@link #ANSWER_TIMEOUT} for the answer, which must be a response. */
    public <T extends ApiMessage> T call(final ApiKeys apiKey, final short version, final ApiMessage request) {
        final int id = send(apiKey, version, request);
        final Outcome outcome = connection.await(ANSWER_TIMEOUT);
        if (outcome != Outcome.RESPONSE) {
            throw new AssertionError(apiKey + " v" + version + " not answered: " + outcome);
        }
        final RequestHeader header = new RequestHeader(apiKey, version, "raw-client", id);
        @SuppressWarnings("unchecked")
        final T data = (T) AbstractResponse.parseResponse(connection.lastResponse(), header)
                .data();
        return data;
    }

    @Override
    public void close() {
        connection.close();
    }
}
