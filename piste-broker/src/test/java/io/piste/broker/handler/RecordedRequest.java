package io.piste.broker.handler;

import io.netty.channel.EventLoop;
import io.piste.broker.protocol.FileSliceRecords;
import io.piste.broker.protocol.RequestContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A request as the connection hands it to a handler, encoded and decoded at its version as on the wire, with the
 * connection's side recorded: the answer (from any thread), whether the connection was closed or muted.
 */
final class RecordedRequest implements RequestContext.ResponseSlot {

    /** What the queue holds for "answered with nothing" (acks=0), since it takes no null. */
    private static final Object NO_RESPONSE = new Object();

    private final LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    private final RequestContext context;
    private volatile boolean closed;
    private volatile long mutedForMs = -1;

    RecordedRequest(ApiKeys api, short version, ApiMessage data, EventLoop eventLoop) {
        AbstractRequest request =
                AbstractRequest.parseRequest(api, version, MessageUtil.toByteBufferAccessor(data, version)).request;
        this.context = new RequestContext(
                new RequestHeader(api, version, "test-client", 7),
                request,
                new InetSocketAddress("127.0.0.1", 5555),
                eventLoop,
                this);
    }

    RequestContext context() {
        return context;
    }

    @Override
    public void complete(ApiMessage response) {
        answers.add(response == null ? NO_RESPONSE : response);
    }

    @Override
    public void muteFor(long millis) {
        mutedForMs = millis;
    }

    @Override
    public void completeAndClose() {
        closed = true;
        complete(null);
    }

    /** The answer given already, or null if none yet. */
    @SuppressWarnings("unchecked")
    <T extends ApiMessage> T answerNow() {
        Object answer = answers.peek();
        if (answer == NO_RESPONSE) {
            throw new AssertionError("answered without a response");
        }
        return (T) answer;
    }

    /** The answer, waited for up to 10 s (a flush or another thread may give it). */
    @SuppressWarnings("unchecked")
    <T extends ApiMessage> T awaitAnswer() throws InterruptedException {
        Object answer = answers.poll(10, TimeUnit.SECONDS);
        if (answer == null) {
            throw new AssertionError("no answer to " + context + " within 10 s");
        }
        if (answer == NO_RESPONSE) {
            throw new AssertionError("answered without a response");
        }
        return (T) answer;
    }

    /** True if the handler answered with no response (acks=0). */
    boolean answeredWithoutResponse() {
        return answers.peek() == NO_RESPONSE;
    }

    int answerCount() {
        return answers.size();
    }

    boolean connectionClosed() {
        return closed;
    }

    long mutedForMs() {
        return mutedForMs;
    }

    /** The bytes of the records of a fetch response's partition, read from the segment file for a file slice. */
    static MemoryRecords records(BaseRecords records) throws IOException {
        if (records instanceof MemoryRecords memory) {
            return memory;
        }
        FileSliceRecords slice = (FileSliceRecords) records;
        ByteBuffer buffer = ByteBuffer.allocate(slice.sizeInBytes());
        while (buffer.hasRemaining()) {
            if (slice.channel().read(buffer, slice.position() + buffer.position()) < 0) {
                throw new AssertionError("the slice reaches past the end of its file");
            }
        }
        return MemoryRecords.readableRecords(buffer.flip());
    }

    /** Each data record of {@code records} as "offset:value" (the value as UTF-8), in order; markers left out. */
    static List<String> offsetsAndValues(BaseRecords records) throws IOException {
        List<String> values = new ArrayList<>();
        for (RecordBatch batch : records(records).batches()) {
            if (batch.isControlBatch()) {
                continue; // a transaction marker: no client sees it as a record
            }
            for (Record record : batch) {
                byte[] value = new byte[record.valueSize()];
                record.value().get(value);
                values.add(record.offset() + ":" + new String(value, StandardCharsets.UTF_8));
            }
        }
        return values;
    }
}
