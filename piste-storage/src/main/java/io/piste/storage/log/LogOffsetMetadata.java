package io.piste.storage.log;

/**
 * An offset with its place in the log, as Kafka's {@code LogOffsetMetadata}: the base offset of the segment that
 * holds it and the byte position in that segment of the batch holding it (for an offset that ends the log or a
 * segment, the segment's size). A delayed fetch counts the bytes between two of these without reading the log.
 * A position of {@link #UNKNOWN_POSITION} means only the offset is known. Immutable.
 */
public record LogOffsetMetadata(long messageOffset, long segmentBaseOffset, int relativePositionInSegment) {

    public static final int UNKNOWN_POSITION = -1;

    public static LogOffsetMetadata messageOffsetOnly(long offset) {
        return new LogOffsetMetadata(offset, UNKNOWN_POSITION, UNKNOWN_POSITION);
    }

    /** True if only the offset is known, not its place in the log. */
    public boolean messageOffsetOnly() {
        return relativePositionInSegment == UNKNOWN_POSITION;
    }

    /** True if this offset's segment is older than {@code that} one's. Both must know their place. */
    public boolean onOlderSegment(LogOffsetMetadata that) {
        return segmentBaseOffset < that.segmentBaseOffset;
    }

    /** The bytes from {@code that} up to this one, both on the same segment. */
    public int positionDiff(LogOffsetMetadata that) {
        return relativePositionInSegment - that.relativePositionInSegment;
    }
}
