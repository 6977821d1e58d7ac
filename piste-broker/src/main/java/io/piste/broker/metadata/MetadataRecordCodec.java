package io.piste.broker.metadata;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Records as bytes, one text line each ({@link MetadataRecord#encode()}): the form a quorum's log entries and
 * snapshots carry (they have checksums of their own, so the lines have none). Decoding is as strict as the local
 * metadata log's, and bounded: more lines than the caller allows is damage, not a reason to allocate. Stateless.
 */
public final class MetadataRecordCodec {

    /** The most records one change (one log entry) may hold, as in the local metadata log. */
    public static final int MAX_CHANGE_RECORDS = MetadataLog.MAX_CHANGE_RECORDS;

    private MetadataRecordCodec() {}

    public static byte[] encode(List<MetadataRecord> records) {
        StringBuilder text = new StringBuilder();
        for (MetadataRecord record : records) {
            text.append(record.encode()).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @throws IllegalArgumentException if a line does not parse, the last line has no newline, or there are more
     *     than {@code maxRecords} lines
     * @throws UnsupportedMetadataRecordException for a record type or version this broker does not know
     */
    public static List<MetadataRecord> decode(byte[] bytes, int maxRecords) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<MetadataRecord> records = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                throw new IllegalArgumentException("metadata record without its newline at char " + start);
            }
            if (records.size() == maxRecords) {
                throw new IllegalArgumentException("more than " + maxRecords + " metadata records");
            }
            records.add(MetadataRecordDecoder.decode(text.substring(start, end)));
            start = end + 1;
        }
        return records;
    }
}
