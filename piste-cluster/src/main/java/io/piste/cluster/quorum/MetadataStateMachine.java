package io.piste.cluster.quorum;

import io.piste.broker.metadata.MetadataChangeCheck;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.MetadataRecordCodec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the quorum's committed changes to this node's {@link MetadataImage}, in log order, identically on every
 * node: a change that no longer fits the image (a topic another node created first) is refused whole, and its
 * proposer hears Kafka's error in the reply ({@link ChangeReply}). A snapshot is the image's records
 * ({@link MetadataImage#records()}), one file per snapshot with Ratis' MD5 beside it; a node loads the latest at
 * start and after the leader installed one.
 */
final class MetadataStateMachine extends BaseStateMachine implements AppliedImage {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);

    /**
     * No count limit for a snapshot: its records are as many as the cluster's topics and configs, which nothing
     * bounds, and each is a line of the bytes already read, so the list cannot outgrow the file.
     */
    private static final int MAX_SNAPSHOT_RECORDS = Integer.MAX_VALUE;

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final PublishedImage image;
    private final ObserverFeed feed;
    private final Object appliedLock = new Object();

    /**
     * {@code onApplied} hears each change as the image before and after it, on the applying thread, once the new
     * image is {@link #image()} and before a proposer waiting for the change hears of it. A broker-only node's
     * fetch is held at most {@code fetchWaitMs}.
     */
    MetadataStateMachine(BiConsumer<MetadataImage, MetadataImage> onApplied, long fetchWaitMs) {
        this.image = new PublishedImage(onApplied);
        this.feed = new ObserverFeed(fetchWaitMs);
    }

    /** Broker-only nodes' fetches and contacts. */
    ObserverFeed feed() {
        return feed;
    }

    @Override
    public MetadataImage image() {
        return image.get();
    }

    @Override
    public boolean awaitApplied(long index, long timeoutMs) throws InterruptedException {
        return PublishedImage.awaitIndex(appliedLock, this::appliedIndex, index, timeoutMs);
    }

    private long appliedIndex() {
        TermIndex last = getLastAppliedTermIndex();
        return last == null ? RaftLog.INVALID_LOG_INDEX : last.getIndex();
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        // Ratis lists this directory whenever it looks for a snapshot, and logs an error while it does not exist.
        Files.createDirectories(raftStorage.getStorageDir().getStateMachineDir().toPath());
        storage.init(raftStorage);
        load(storage.getLatestSnapshot());
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    /**
     * Before the leader's snapshot is installed here: Ratis reloads from it ({@link #reinitialize()}) only if paused.
     */
    @Override
    public void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /** Loads the snapshot the leader installed, and runs again. */
    @Override
    public void reinitialize() throws IOException {
        load(storage.loadLatestSnapshot());
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    /**
     * A broker-only node's {@link MetadataFetch}, or the question which nodes fetch here; any other read-only request
     * is only a barrier ({@link MetadataQuorum#latestImage()}), whose answer says nothing.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        MetadataFetch.Request fetch = MetadataFetch.parseRequest(request);
        if (fetch != null) {
            return feed.fetch(fetch);
        }
        if (request.getContent().equals(MetadataFetch.OBSERVERS_READ.getContent())) {
            return CompletableFuture.completedFuture(
                    MetadataFetch.observersReply(feed.contacts(), System.currentTimeMillis()));
        }
        return CompletableFuture.completedFuture(ChangeReply.OK.toMessage());
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
        ChangeReply reply;
        MetadataImage next = null;
        int records = 0;
        try {
            List<MetadataRecord> change = MetadataRecordCodec.decode(data, MetadataRecordCodec.MAX_CHANGE_RECORDS);
            records = change.size();
            next = MetadataChangeCheck.apply(image.get(), change);
            reply = ChangeReply.OK;
        } catch (ApiException e) {
            reply = ChangeReply.error(Errors.forException(e), e.getMessage());
        } catch (IllegalArgumentException e) {
            // Garbled, or of a record type or version this node does not know: only a program that is not a Piste
            // node of this version proposes such an entry. Refused on every node alike, so their images stay equal.
            LOG.warn("Refused metadata entry {}: {}", entry.getIndex(), e.getMessage());
            reply = ChangeReply.error(Errors.INVALID_REQUEST, "not a metadata change: " + e.getMessage());
        }
        // The feed first: a read that waited for this index (a broker-only node's barrier) then finds it there too.
        if (next != null) {
            image.publish(next);
            feed.applied(entry.getIndex(), records, data, next);
        } else {
            feed.advanced(entry.getIndex());
        }
        synchronized (appliedLock) {
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            appliedLock.notifyAll();
        }
        return CompletableFuture.completedFuture(reply.toMessage());
    }

    /** An entry of Ratis' own (a configuration, a new leader's first entry) moved the applied index. */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        feed.advanced(index);
        synchronized (appliedLock) {
            super.notifyTermIndexUpdated(term, index);
            appliedLock.notifyAll();
        }
    }

    @Override
    public void close() throws IOException {
        feed.close();
        super.close();
    }

    @Override
    public long takeSnapshot() throws IOException {
        MetadataImage snapshotImage;
        TermIndex last;
        synchronized (appliedLock) {
            snapshotImage = image.get();
            last = getLastAppliedTermIndex();
        }
        if (last == null) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        Path file = storage.getSnapshotFile(last.getTerm(), last.getIndex()).toPath();
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.write(partial, MetadataRecordCodec.encode(snapshotImage.records()));
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file.toFile());
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file, md5), last));
        LOG.info(
                "Metadata snapshot at index {}: {} topics",
                last.getIndex(),
                snapshotImage.topics().size());
        return last.getIndex();
    }

    private void load(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        Path file = snapshot.getFile().getPath();
        MD5Hash md5 = snapshot.getFile().getFileDigest();
        if (md5 != null) {
            MD5FileUtil.verifySavedMD5(file.toFile(), md5);
        }
        MetadataImage loaded;
        try {
            loaded = MetadataImage.EMPTY.applyAll(
                    MetadataRecordCodec.decode(Files.readAllBytes(file), MAX_SNAPSHOT_RECORDS));
        } catch (IllegalArgumentException e) {
            throw new IOException("Metadata snapshot " + file + " does not read back: " + e.getMessage(), e);
        }
        image.publish(loaded);
        feed.reset(snapshot.getIndex(), loaded);
        synchronized (appliedLock) {
            setLastAppliedTermIndex(snapshot.getTermIndex());
            appliedLock.notifyAll();
        }
        LOG.info(
                "Loaded metadata snapshot {}: {} topics",
                file.getFileName(),
                loaded.topics().size());
    }
}
