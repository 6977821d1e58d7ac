package io.piste.broker.replication;

import io.piste.broker.interbroker.InterBrokerClient;
import io.piste.broker.partition.OffsetAndEpoch;
import io.piste.broker.partition.Partition;
import io.piste.broker.partition.PartitionFollower;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.FetchSessionHandler;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.utils.internals.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread fetching, for every partition this node follows on one leader, what the leader appended (Kafka's replica
 * fetcher thread): a Fetch naming this node's replica id and broker epoch (v15+ ReplicaState) with each partition's
 * log end, current leader epoch and last fetched epoch, in a fetch session (KIP-227: after the first, full, fetch,
 * only the partitions whose fields changed, kafka-clients' {@code FetchSessionHandler}); appends the leader's batches
 * verbatim; truncates where the leader says the logs diverged, or starts over at the leader's log start when it fell
 * behind it; then makes what it appended durable before it fetches again (with durable acks; one round of the group
 * commit for the whole answer, shared with this node's leaders), so the offset its next fetch reports, from which the
 * leader's high watermark moves, is on this node's disk. A partition answered with an error waits {@code
 * replica.fetch.backoff.ms}; the image's next change moves it to its new leader. An out-of-sync replica the
 * replication throttle names waits while the throttle's quota is used up ({@link FollowerThrottle}).
 *
 * <p>Threads: its own. {@link #add} and {@link #remove} may come from any thread; a partition removed is never
 * appended to afterwards (the response's partitions are handled under the same lock), so a node that starts leading
 * it owns its log alone.
 */
final class ReplicaFetcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcher.class);

    /** A partition this node follows on this fetcher's leader, at the leader epoch the image gave. */
    record Followed(String topic, int index, Uuid topicId, Partition partition, int leaderEpoch) {}

    private final int self;
    private final int leaderId;
    private final ReplicationSettings settings;
    private final Supplier<Node> leader;
    private final LongSupplier brokerEpoch;
    /** Writes the recovery-point checkpoints: a truncated log must not be trusted past its cut after a crash. */
    private final Runnable afterTruncation;
    /** Holds back the out-of-sync replicas the topic configs throttle, shared with this node's other fetchers. */
    private final FollowerThrottle throttle;

    private final Thread thread;
    private final Map<TopicPartition, Followed> followed = new LinkedHashMap<>();
    private final Map<TopicPartition, Long> retryAtMs = new HashMap<>();
    private volatile boolean running = true;

    private InterBrokerClient client;
    /**
     * The fetch session with the leader (KIP-227, as Kafka's fetchers keep one): after a full fetch, each fetch sends
     * only the partitions whose position or epochs changed, and the leader answers only those with news.
     */
    private final FetchSessionHandler session;

    private long lastConnectWarningMs;

    /**
     * @param leader the leader's endpoint in the current image, null while it does not serve
     */
    ReplicaFetcher(
            int self,
            int leaderId,
            ReplicationSettings settings,
            Supplier<Node> leader,
            LongSupplier brokerEpoch,
            Runnable afterTruncation,
            FollowerThrottle throttle) {
        this.afterTruncation = afterTruncation;
        this.throttle = throttle;
        this.self = self;
        this.leaderId = leaderId;
        this.settings = settings;
        this.leader = leader;
        this.brokerEpoch = brokerEpoch;
        this.session = new FetchSessionHandler(
                new LogContext("[replica fetcher of " + self + " from " + leaderId + "] "), leaderId);
        this.thread = new Thread(this::run, "piste-replica-fetcher-" + leaderId);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Follows {@code partition} from now on (replacing an earlier entry for it, at an older leader epoch). */
    synchronized void add(Followed partition) {
        TopicPartition key = new TopicPartition(partition.topic(), partition.index());
        followed.put(key, partition);
        retryAtMs.remove(key);
        notifyAll();
    }

    /** Stops following; once this returns, nothing more is appended to the partition by this fetcher. */
    synchronized void remove(TopicPartition partition) {
        followed.remove(partition);
        retryAtMs.remove(partition);
    }

    synchronized boolean isEmpty() {
        return followed.isEmpty();
    }

    private void run() {
        while (running) {
            try {
                fetchOnce();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("Replica fetcher for broker {} failed a round; it goes on", leaderId, e);
                try {
                    sleep(settings.backoffMs());
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private void fetchOnce() throws InterruptedException {
        Map<TopicPartition, FetchRequest.PartitionData> request = new LinkedHashMap<>();
        Map<Uuid, String> topicNames = new HashMap<>();
        Map<TopicPartition, Long> highWatermarks = new HashMap<>();
        synchronized (this) {
            long now = System.currentTimeMillis();
            for (Map.Entry<TopicPartition, Followed> e : followed.entrySet()) {
                Long retryAt = retryAtMs.get(e.getKey());
                Followed f = e.getValue();
                if ((retryAt != null && retryAt > now)
                        || f.partition().isOffline()
                        || f.partition().isDeleted()
                        || throttle.holdsBack(f.topic(), f.index(), now)) {
                    continue;
                }
                int lastEpoch = f.partition().asFollower().lastFetchedEpoch();
                request.put(
                        e.getKey(),
                        new FetchRequest.PartitionData(
                                f.topicId(),
                                f.partition().logEndOffset(),
                                f.partition().logStartOffset(),
                                settings.partitionMaxBytes(),
                                Optional.of(f.leaderEpoch()),
                                lastEpoch >= 0 ? Optional.of(lastEpoch) : Optional.empty()));
                topicNames.put(f.topicId(), f.topic());
                highWatermarks.put(e.getKey(), f.partition().highWatermark());
            }
            if (request.isEmpty()) {
                wait(followed.isEmpty() ? 1000 : Math.max(1, settings.backoffMs() / 4));
                return;
            }
        }
        Node destination = leader.get();
        if (destination == null) {
            sleep(settings.backoffMs());
            return;
        }
        FetchSessionHandler.Builder sessionFetch = session.newBuilder(request.size(), false);
        request.forEach(sessionFetch::add);
        FetchSessionHandler.FetchRequestData toSend = sessionFetch.build();
        FollowerFetchRequest fetch = new FollowerFetchRequest(
                FetchRequest.Builder.forReplica(
                                ApiKeys.FETCH.latestVersion(),
                                self,
                                brokerEpoch.getAsLong(),
                                settings.maxWaitMs(),
                                settings.minBytes(),
                                toSend.toSend())
                        .removed(toSend.toForget())
                        .replaced(toSend.toReplace())
                        .metadata(toSend.metadata())
                        .setMaxBytes(settings.responseMaxBytes()),
                highWatermarks,
                topicNames);
        InterBrokerClient.Answer answer;
        try {
            answer = client().sendForAnswer(destination, fetch, () -> !running);
        } catch (IOException e) {
            session.handleError(e); // the next fetch is a full one, opening a new session
            if (!running) {
                throw new InterruptedException();
            }
            long now = System.currentTimeMillis();
            if (now - lastConnectWarningMs > 10_000) {
                lastConnectWarningMs = now;
                LOG.warn("Replica fetcher could not fetch from broker {}: {}", leaderId, e.getMessage());
            }
            sleep(settings.backoffMs());
            return;
        }
        FetchResponse response = (FetchResponse) answer.body();
        if (!session.handleResponse(response, answer.version())) {
            // The session was lost (the leader restarted or evicted it) or the answer did not fit it: the handler
            // starts a new one with the next, full, fetch.
            Errors error = response.error();
            if (error == Errors.FETCH_SESSION_ID_NOT_FOUND || error == Errors.INVALID_FETCH_SESSION_EPOCH) {
                LOG.info(
                        "Broker {} no longer holds this follower's fetch session ({}): fetching in full",
                        leaderId,
                        error);
            } else {
                LOG.warn("Broker {} refused this follower's fetch: {}", leaderId, error);
                sleep(settings.backoffMs());
            }
            return;
        }
        FetchResponseData data = response.data();
        if (running) { // after close() began, nothing more is written
            handle(data, topicNames);
        }
    }

    /**
     * Appends or truncates each partition of the answer, then makes the appends durable (one group-commit round for
     * all of them) before the next fetch reports them, then takes the leader's high watermarks.
     */
    private void handle(FetchResponseData data, Map<Uuid, String> topicNames) throws InterruptedException {
        List<Followed> written = new ArrayList<>();
        List<Long> highWatermarks = new ArrayList<>();
        synchronized (this) {
            for (FetchResponseData.FetchableTopicResponse topic : data.responses()) {
                String name = topic.topic() == null || topic.topic().isEmpty()
                        ? topicNames.get(topic.topicId())
                        : topic.topic();
                for (PartitionData p : topic.partitions()) {
                    TopicPartition key = new TopicPartition(String.valueOf(name), p.partitionIndex());
                    Followed f = followed.get(key);
                    if (f == null || f.partition().isDeleted()) {
                        continue; // no longer followed here: a leader now, or the partition moved or was deleted
                    }
                    if (handlePartition(f, p)) {
                        written.add(f);
                        highWatermarks.add(p.highWatermark());
                    } else {
                        retryAtMs.put(key, System.currentTimeMillis() + settings.backoffMs());
                    }
                }
            }
        }
        List<Partition> partitions = new ArrayList<>(written.size());
        for (Followed f : written) {
            partitions.add(f.partition());
        }
        List<Partition> notDurable = PartitionFollower.makeDurable(partitions);
        for (int i = 0; i < written.size(); i++) {
            Followed f = written.get(i);
            if (f.partition().isDeleted()) {
                continue;
            }
            if (notDurable.contains(f.partition())) {
                LOG.error("Follower {} could not make what it fetched durable; it stops fetching it", f);
                remove(new TopicPartition(f.topic(), f.index()));
                continue;
            }
            f.partition().asFollower().followHighWatermark(highWatermarks.get(i));
        }
    }

    /** True if the partition's answer was taken (appended, truncated, or nothing new); false to back off. */
    private boolean handlePartition(Followed f, PartitionData p) {
        Partition partition = f.partition();
        Errors error = Errors.forCode(p.errorCode());
        try {
            if (error == Errors.OFFSET_OUT_OF_RANGE) {
                return outOfRange(f, p);
            }
            if (error != Errors.NONE) {
                LOG.debug("Leader {} answered {} for {}", leaderId, error, f);
                return false;
            }
            if (p.divergingEpoch().epoch() >= 0 || p.divergingEpoch().endOffset() >= 0) {
                truncateDiverged(f, p.divergingEpoch());
                return true;
            }
            if (!(p.records() instanceof MemoryRecords records) || records.sizeInBytes() == 0) {
                return true;
            }
            ByteBuffer whole = wholeBatches(records);
            throttle.fetched(f.topic(), f.index(), whole.remaining(), System.currentTimeMillis());
            if (whole.hasRemaining()) {
                partition.asFollower().append(whole);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.error("Follower {} could not take what broker {} sent; it retries after a backoff", f, leaderId, e);
            return false;
        }
    }

    /** The complete batches of {@code records}: a response may end with part of a batch, sent again next time. */
    private static ByteBuffer wholeBatches(MemoryRecords records) {
        int size = 0;
        for (MutableRecordBatch batch : records.batches()) {
            size += batch.sizeInBytes();
        }
        ByteBuffer buffer = records.buffer().duplicate();
        buffer.limit(buffer.position() + size);
        return buffer;
    }

    /**
     * Kafka's truncation on a diverging epoch: to where the leader's log of that epoch ends, or earlier where this
     * log's own does; the next fetch checks again with the epoch this log now ends with.
     */
    private void truncateDiverged(Followed f, FetchResponseData.EpochEndOffset diverging) throws IOException {
        Partition partition = f.partition();
        long target = diverging.endOffset();
        OffsetAndEpoch mine = partition.lastOffsetForLeaderEpoch(diverging.epoch());
        if (mine.leaderEpoch() >= 0 && mine.endOffset() >= 0) {
            target = Math.min(target, mine.endOffset());
        }
        target = Math.max(0, target);
        long end = partition.asFollower().truncateTo(target);
        afterTruncation.run();
        LOG.info(
                "Follower {} truncated to offset {} where its log diverges from leader {} (epoch {} ends at {})",
                f,
                end,
                leaderId,
                diverging.epoch(),
                diverging.endOffset());
    }

    /**
     * The fetch offset is outside the leader's log: below its start (this log fell behind retention), start over
     * there; above its end (this log has what the leader never had), cut back to the leader's high watermark, which
     * every in-sync replica holds.
     */
    private boolean outOfRange(Followed f, PartitionData p) throws IOException {
        Partition partition = f.partition();
        long fetchOffset = partition.logEndOffset();
        if (p.logStartOffset() >= 0 && fetchOffset < p.logStartOffset()) {
            partition.asFollower().truncateFullyAndStartAt(p.logStartOffset());
            afterTruncation.run();
            LOG.info("Follower {} starts over at the leader's log start offset {}", f, p.logStartOffset());
            return true;
        }
        if (p.highWatermark() >= 0 && p.highWatermark() < fetchOffset) {
            long end = partition.asFollower().truncateTo(p.highWatermark());
            afterTruncation.run();
            LOG.info("Follower {} truncated to the leader's high watermark {} (was at {})", f, end, fetchOffset);
            return true;
        }
        return false;
    }

    private InterBrokerClient client() {
        if (client == null) {
            client = new InterBrokerClient(self, settings.listenerName(), settings.requestTimeoutMs());
        }
        return client;
    }

    /** Waits {@code ms}, or less if {@link #close()} is called meanwhile. */
    private synchronized void sleep(long ms) throws InterruptedException {
        if (running) {
            wait(Math.max(1, ms));
        }
    }

    /**
     * Stops the thread after its current round and closes its connection; waits up to 30 s. Never interrupts it: an
     * interrupt during a flush or read closes the log's file channel and takes the partition offline.
     */
    @Override
    public void close() {
        synchronized (this) {
            running = false;
            notifyAll();
        }
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("Replica fetcher for broker {} did not stop within 30 s", leaderId);
        } else if (client != null) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "ReplicaFetcher(leader=" + leaderId + ")";
    }
}
