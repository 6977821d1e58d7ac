package io.piste.broker.protocol;

/**
 * Handles decoded requests; answers through {@link RequestContext#respond} now or later.
 *
 * <h2>Lifetime of the request's bytes</h2>
 * The request is decoded in place from its network frame, a pooled buffer: the records of a Produce request
 * ({@code MemoryRecords}, and any other zero-copy field) are slices of that frame, not copies. The connection
 * releases the frame as soon as {@code handle} returns (or throws), and the pool reuses its memory for later reads,
 * of this connection or another. So:
 * <ul>
 *   <li>during {@code handle} the handler may read the records, and rewrite them in place (Produce assigns offsets
 *       in the batch it appends);</li>
 *   <li>after {@code handle} returns, nothing may read them: a handler that answers later (acks=all waiting for the
 *       group commit, a parked fetch, a group join) keeps only what it copied out of the request (names, offsets,
 *       byte arrays, which the decoder copies) and its response;</li>
 *   <li>a handler that needs the records themselves after {@code handle} (an append that waits for something
 *       first) must copy them before it returns. Copy, not retain: the frame is a slice of the buffer the socket
 *       read into, which can hold other frames too, and a retained slice would pin all of it for as long as the
 *       handler waits (a client decides how long); the context offers no way to retain the frame.</li>
 * </ul>
 * Produce needs no copy: {@code Partition.appendRecordsToLeader} writes the batch into the segment file before it
 * returns, and the acks=all callback touches only the response (the context it answers through still refers to the
 * request, whose records nobody reads again). {@code ProduceLifetimeTest} checks that
 * the bytes appended are the bytes sent under paranoid leak detection, many requests reusing the same pooled memory.
 *
 * <p>{@code handle} runs on the connection's event loop, one request of a connection at a time, in order.
 */
@FunctionalInterface
public interface RequestHandler {
    void handle(RequestContext context);
}
