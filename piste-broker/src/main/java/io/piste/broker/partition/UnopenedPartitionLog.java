package io.piste.broker.partition;

import io.piste.broker.metadata.TopicImage;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A partition whose log was not opened since the start (and needs no recovery): its topic as last applied, its
 * directory and checkpointed log start offset, for background work that looks at files before opening (the cleaner).
 */
public final class UnopenedPartitionLog {
    private final TopicImage topic;
    private final PartitionSlot slot;
    private final PartitionSlot.Opener opener;

    UnopenedPartitionLog(TopicImage topic, PartitionSlot slot, PartitionSlot.Opener opener) {
        this.topic = topic;
        this.slot = slot;
        this.opener = opener;
    }

    public TopicImage topic() {
        return topic;
    }

    public int index() {
        return slot.index();
    }

    /** The partition's directory. */
    public Path dir() {
        return slot.logDir().resolve(slot.toString());
    }

    public long logStartOffset() {
        return slot.checkpointedLogStartOffset();
    }

    /** Opens the log as its first use would (once); null if it cannot be opened (the failure is the slot's). */
    public UnifiedLog open() throws IOException {
        Partition p = slot.get(opener);
        return p == null || p.isDeleted() ? null : p.log();
    }
}
