package io.piste.bench.compare;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * Start-up probe: the wall-clock time at which a broker first answers a Metadata request.
 *
 * <p>Started before the broker (so its own JVM start-up is not counted): it prints {@code polling} as soon as it
 * runs, then every {@code intervalMs} tries to connect to {@code 127.0.0.1:<port>}, sends one Metadata v12 request
 * (no topics) and waits for the answer. The first answer that names at least one broker ends it with
 * {@code first_metadata_epoch_ms=<ms since the epoch> brokers=<n> attempts=<n>}; the caller subtracts the
 * moment it launched the broker. Exits 1 with an {@code ERROR} line when {@code timeoutMs} passes.
 *
 * <p>With a topic and a partition count ({@code bench/compare}'s partition cells, after a restart), the request names
 * that topic and the broker counts as ready only when the answer lists at least that many of its partitions, each
 * without an error and with a leader: a broker that answers before it has loaded its logs is not ready yet. The
 * line then also says {@code partitions=<n>}.
 *
 * <p>Usage: {@code FirstMetadata <port> [timeoutMs] [intervalMs] [topic partitions]}.
 */
public final class FirstMetadata {

    private static final short METADATA_VERSION = 12;
    private static final int IO_TIMEOUT_MS = 2_000;

    private FirstMetadata() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1) {
            System.err.println("usage: FirstMetadata <port> [timeoutMs] [intervalMs] [topic partitions]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        long timeoutMs = args.length > 1 ? Long.parseLong(args[1]) : 120_000L;
        long intervalMs = args.length > 2 ? Long.parseLong(args[2]) : 5L;
        String topic = args.length > 4 ? args[3] : null;
        int wantPartitions = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        warmUp();
        System.out.println("polling 127.0.0.1:" + port);
        System.out.flush();
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        int attempts = 0;
        String lastError = "none";
        while (System.nanoTime() < deadline) {
            attempts++;
            try {
                MetadataResponseData answer = askMetadata(port, attempts, topic);
                int brokers = answer.brokers().size();
                int ready = topic == null ? 0 : readyPartitions(answer, topic);
                if (brokers > 0 && ready >= wantPartitions) {
                    System.out.printf(
                            "first_metadata_epoch_ms=%d brokers=%d attempts=%d%s%n",
                            System.currentTimeMillis(), brokers, attempts, topic == null ? "" : " partitions=" + ready);
                    return;
                }
                lastError = brokers == 0
                        ? "answer without brokers"
                        : ready + " of " + wantPartitions + " partitions of " + topic + " with a leader";
            } catch (IOException | RuntimeException e) {
                // Not listening yet (connection refused) or not serving yet: try again shortly.
                lastError = e.toString();
            }
            Thread.sleep(intervalMs);
        }
        System.out.printf(
                "ERROR: no Metadata answer on port %d within %d ms after %d attempts; last: %s%n",
                port, timeoutMs, attempts, lastError);
        System.exit(1);
    }

    /**
     * Runs the code of one round trip once against a socket of our own and a canned answer, so that the first real
     * answer is not slowed down by this JVM loading and interpreting those classes for the first time (that took
     * a few hundred ms on a busy machine, and was counted as the broker's start-up).
     */
    private static void warmUp() {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(
                    () -> {
                        try (Socket s = server.accept()) {
                            DataInputStream in = new DataInputStream(s.getInputStream());
                            byte[] request = new byte[in.readInt()];
                            in.readFully(request);
                            MetadataResponseData data = new MetadataResponseData();
                            data.brokers()
                                    .add(new MetadataResponseData.MetadataResponseBroker()
                                            .setNodeId(1)
                                            .setHost("127.0.0.1")
                                            .setPort(1));
                            ByteBuffer header = MessageUtil.toByteBufferAccessor(
                                            new ResponseHeaderData().setCorrelationId(1),
                                            ApiKeys.METADATA.responseHeaderVersion(METADATA_VERSION))
                                    .buffer();
                            ByteBuffer body = MessageUtil.toByteBufferAccessor(data, METADATA_VERSION)
                                    .buffer();
                            byte[] frame = new byte[4 + header.remaining() + body.remaining()];
                            ByteBuffer.wrap(frame)
                                    .putInt(header.remaining() + body.remaining())
                                    .put(header)
                                    .put(body);
                            s.getOutputStream().write(frame);
                        } catch (IOException e) {
                            System.err.println("warm-up answer failed: " + e);
                        }
                    },
                    "warm-up");
            answer.start();
            askMetadata(server.getLocalPort(), 1, null);
            answer.join(10_000);
        } catch (IOException | RuntimeException | InterruptedException e) {
            System.err.println("warm-up failed (the measurement still runs): " + e);
        }
    }

    /** Partitions of {@code topic} in the answer that have no error and a leader. */
    static int readyPartitions(MetadataResponseData answer, String topic) {
        MetadataResponseData.MetadataResponseTopic t = answer.topics().find(topic);
        if (t == null || t.errorCode() != 0) {
            return 0;
        }
        int ready = 0;
        for (MetadataResponseData.MetadataResponsePartition p : t.partitions()) {
            if (p.errorCode() == 0 && p.leaderId() >= 0) {
                ready++;
            }
        }
        return ready;
    }

    /** One connection, one Metadata request (for no topic, or for {@code topic}); returns the answer. */
    static MetadataResponseData askMetadata(int port, int correlationId, String topic) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(IO_TIMEOUT_MS);
            socket.connect(new InetSocketAddress("127.0.0.1", port), IO_TIMEOUT_MS);
            MetadataRequest request = new MetadataRequest.Builder(new MetadataRequestData()
                            .setTopics(
                                    topic == null
                                            ? Collections.emptyList()
                                            : List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic)))
                            .setAllowAutoTopicCreation(false))
                    .build(METADATA_VERSION);
            RequestHeader header =
                    new RequestHeader(ApiKeys.METADATA, METADATA_VERSION, "piste-bench-startup", correlationId);
            ByteBuffer body = request.serializeWithHeader(header);
            byte[] frame = new byte[4 + body.remaining()];
            ByteBuffer.wrap(frame).putInt(body.remaining()).put(body);
            OutputStream out = socket.getOutputStream();
            out.write(frame);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int size = in.readInt();
            if (size <= 0 || size > 64 * 1024 * 1024) {
                throw new IOException("bad response size " + size);
            }
            byte[] response = new byte[size];
            in.readFully(response);
            ByteBuffer buffer = ByteBuffer.wrap(response);
            ResponseHeader responseHeader =
                    ResponseHeader.parse(buffer, ApiKeys.METADATA.responseHeaderVersion(METADATA_VERSION));
            if (responseHeader.correlationId() != correlationId) {
                throw new IOException("correlation id " + responseHeader.correlationId() + ", sent " + correlationId);
            }
            return MetadataResponse.parse(new ByteBufferAccessor(buffer), METADATA_VERSION)
                    .data();
        }
    }
}
