package io.piste.broker.partition;

import io.piste.storage.checkpoint.EpochEntry;
import io.piste.storage.log.UnifiedLog;

/**
 * An OffsetsForLeaderEpoch answer for one partition: the largest leader epoch not above the one asked for, and the
 * offset where it ended (the log end for the current epoch); both -1 when no such epoch is known.
 */
public record OffsetAndEpoch(long endOffset, int leaderEpoch) {

    static final OffsetAndEpoch UNDEFINED = new OffsetAndEpoch(-1, -1);

    /** The answer for {@code leaderEpoch} from {@code log}'s epochs, this node leading at {@code currentEpoch}. */
    static OffsetAndEpoch lastOffsetFor(UnifiedLog log, int leaderEpoch, int currentEpoch) {
        int found = -1;
        for (EpochEntry entry : log.epochEntries()) {
            if (entry.epoch() <= leaderEpoch) {
                found = entry.epoch();
            }
        }
        if (found < 0 && leaderEpoch >= currentEpoch) {
            return new OffsetAndEpoch(log.logEndOffset(), currentEpoch);
        }
        if (found < 0) {
            return UNDEFINED;
        }
        return new OffsetAndEpoch(log.endOffsetForEpoch(found), found);
    }
}
