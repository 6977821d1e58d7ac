package io.piste.cluster.quorum;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecordCodec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.Message;

/**
 * What a voter answers broker-only nodes' {@link MetadataFetch}es from: the changes it applied lately (their log
 * entries' bytes, up to {@link #MAX_HELD_RECORDS} records), the image they lead to and the last applied index, all
 * updated together by the applying thread so that a reply's changes and index always agree. A node that knows
 * everything applied waits up to its fetch's longest wait (a long poll, so that a change reaches it at once); one too
 * far behind gets the whole image. Also remembers when each registered broker last fetched and how far it had
 * applied: for a broker-only node, that is its heartbeat ({@link #contacts}). Thread-safe.
 */
final class ObserverFeed implements AutoCloseable {

    /** Recent changes held for fetches: beyond this, a node that far behind gets the whole image. */
    static final int MAX_HELD_RECORDS = 50_000;

    /** The most records one reply carries; a node further behind fetches again at once. */
    static final int MAX_REPLY_RECORDS = 10_000;

    /** When a registered broker last fetched (epoch ms), and the last index it had applied then. */
    record Contact(long atMs, long appliedIndex) {}

    private record Held(long index, int records, byte[] change) {}

    private record Waiter(MetadataFetch.Request request, CompletableFuture<Message> reply) {}

    private final long maxWaitMs;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private int heldRecords;
    /** Every change applied after this index is held. */
    private long heldAfter = -1;

    private long appliedIndex = -1;
    private MetadataImage image = MetadataImage.EMPTY;
    /** {@link #image}'s records as bytes, made on the first fetch that needs them. */
    private byte[] encodedImage;

    private final List<Waiter> waiters = new ArrayList<>();
    private final Map<Integer, Contact> contacts = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "piste-metadata-feed");
        thread.setDaemon(true);
        return thread;
    });

    /** {@code maxWaitMs}: the longest a fetch is held, whatever it asks (below the fetching client's timeout). */
    ObserverFeed(long maxWaitMs) {
        this.maxWaitMs = maxWaitMs;
    }

    /** The change in log entry {@code index}, as its bytes, was applied and made {@code after} the image. */
    synchronized void applied(long index, int records, byte[] change, MetadataImage after) {
        held.addLast(new Held(index, records, change));
        heldRecords += records;
        while (heldRecords > MAX_HELD_RECORDS) {
            Held oldest = held.removeFirst();
            heldRecords -= oldest.records();
            heldAfter = oldest.index();
        }
        image = after;
        encodedImage = null;
        advanced(index);
    }

    /** Log entry {@code index} changed nothing (refused, or one of Ratis' own). */
    synchronized void advanced(long index) {
        appliedIndex = Math.max(appliedIndex, index);
        wakeWaiters();
    }

    /** A snapshot made {@code loaded} the image at {@code index}: no change before it is held any more. */
    synchronized void reset(long index, MetadataImage loaded) {
        held.clear();
        heldRecords = 0;
        heldAfter = index;
        appliedIndex = index;
        image = loaded;
        encodedImage = null;
        wakeWaiters();
    }

    /**
     * Answers a fetch now if anything was applied after its index (or it may not wait), else once something is or
     * its wait ends. Records the contact of a node registered as a broker, the only ones whose contacts count.
     */
    CompletableFuture<Message> fetch(MetadataFetch.Request request) {
        CompletableFuture<Message> reply = new CompletableFuture<>();
        long waitMs = Math.min(Math.max(request.maxWaitMs(), 0), maxWaitMs);
        synchronized (this) {
            if (image.brokers().containsKey(request.nodeId())) {
                contacts.put(request.nodeId(), new Contact(System.currentTimeMillis(), request.knownIndex()));
            }
            if (appliedIndex > request.knownIndex() || waitMs == 0) {
                reply.complete(answer(request));
                return reply;
            }
            waiters.add(new Waiter(request, reply));
        }
        try {
            timer.schedule(() -> answerLater(request, reply), waitMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            answerLater(request, reply);
        }
        return reply;
    }

    /**
     * Each registered broker's last fetch; a node whose fetch is held right now is in contact now. Only a leader's
     * are complete: a node fetches from the leader.
     */
    synchronized Map<Integer, Contact> contacts() {
        Map<Integer, Contact> now = new HashMap<>(contacts);
        long nowMs = System.currentTimeMillis();
        for (Waiter waiter : waiters) {
            Contact last = now.get(waiter.request().nodeId());
            if (last != null) {
                now.put(waiter.request().nodeId(), new Contact(nowMs, last.appliedIndex()));
            }
        }
        return now;
    }

    private void answerLater(MetadataFetch.Request request, CompletableFuture<Message> reply) {
        Message answer;
        synchronized (this) {
            waiters.removeIf(w -> w.reply() == reply);
            answer = answer(request);
        }
        reply.complete(answer);
    }

    /** Under the lock: hands the waiting fetches to the timer's thread, off the applying thread. */
    private void wakeWaiters() {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter waiter = it.next();
            it.remove();
            try {
                timer.execute(() -> answerLater(waiter.request(), waiter.reply()));
            } catch (RejectedExecutionException closed) {
                waiter.reply().complete(answer(waiter.request()));
            }
        }
    }

    /** Under the lock. */
    private Message answer(MetadataFetch.Request request) {
        long known = request.knownIndex();
        if (known < heldAfter) {
            if (encodedImage == null) {
                encodedImage = MetadataRecordCodec.encode(image.records());
            }
            return MetadataFetch.reply(appliedIndex, true, List.of(encodedImage));
        }
        List<byte[]> changes = new ArrayList<>();
        // Below the fetch's own index if this voter is behind it: the fetching node keeps its own then.
        long upTo = appliedIndex;
        int records = 0;
        for (Held change : held) {
            if (change.index() <= known) {
                continue;
            }
            if (records + change.records() > MAX_REPLY_RECORDS && !changes.isEmpty()) {
                upTo = change.index() - 1; // the rest at the next fetch
                break;
            }
            changes.add(change.change());
            records += change.records();
        }
        return MetadataFetch.reply(upTo, false, changes);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        List<Waiter> left;
        synchronized (this) {
            left = new ArrayList<>(waiters);
            waiters.clear();
        }
        for (Waiter waiter : left) {
            waiter.reply().completeExceptionally(new IllegalStateException("this voter's metadata feed closed"));
        }
    }
}
