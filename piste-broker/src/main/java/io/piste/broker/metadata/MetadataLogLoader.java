package io.piste.broker.metadata;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads the records of a metadata log file and decides what a line that does not read back means. Stateless.
 *
 * <pre>
 * line:  crc32c of the record, 8 lower-case hex digits | ' ' | record (text, see MetadataRecord) | '\n'
 * </pre>
 *
 * <p>Each change is appended and fsynced before it is applied and acknowledged, so only the last append can be
 * incomplete after a crash. What a crash can leave of it is a <em>torn tail</em>: a last line without its newline
 * (the write stopped part-way), or lines holding zero bytes (the file system persisted the new length but not the
 * data), with no whole record after them. That tail was never acknowledged; {@link MetadataLog} cuts it off, as a
 * log segment's recovery cuts a torn batch, and keeps its bytes beside the log.
 *
 * <p>Anything else is refused with a {@link CorruptMetadataLogException} naming the file, the byte position and
 * the record, and the file is left as it is:
 * <ul>
 * <li>a complete line whose CRC does not match, or bad lines followed by a good one: a bit flip or a damaged
 *     block in the middle of acknowledged changes. Loading only what precedes it would drop every topic created
 *     after it, and their directories would then look like nobody's.</li>
 * <li>a record with a valid CRC of a type or version this broker does not know (a newer version wrote it before a
 *     downgrade), or one that does not parse or is out of its limits: Kafka too refuses to start on a metadata
 *     record version it does not know, rather than apply part of the changes.</li>
 * </ul>
 * <p>A change of several records (a topic created with its configs) is written as a header line
 * {@code CHANGE <count>} followed by its records, and is applied only when all of them read back: a power cut can
 * persist the first lines of an append and not the rest, and a topic must not come back without the configs it was
 * created with. A change cut short by the end of the file or by a torn tail is part of that tail.
 *
 * <p>A last line that lacks only its newline (the append stopped just before it, or a bit flip changed it) holds a
 * whole record, which its CRC proves: it is kept, and the newline written again, rather than cut with the tail.
 */
final class MetadataLogLoader {

    private static final int CRC_HEX_DIGITS = 8;
    private static final int MAX_QUOTED_CHARS = 80;
    private static final String REPAIR = "restore the file from a copy, or repair that line by hand (the file is text,"
            + " one '<crc32c of the record, 8 hex digits> <record>' line per record)";
    private static final String NEWER_VERSION = "start the Piste version that wrote it";

    private MetadataLogLoader() {}

    /**
     * What of the file is kept: bytes {@code [0, wholeBytes)}, followed by a newline to write again if
     * {@code newlineMissing} (the last record's was lost or damaged). Any bytes after {@code wholeBytes} are cut.
     */
    record Loaded(int wholeBytes, boolean newlineMissing) {}

    /**
     * Decodes the records of {@code bytes} (the content of {@code file}) into {@code out}.
     *
     * @throws CorruptMetadataLogException when a line that is not part of a torn tail does not read back
     */
    static Loaded load(byte[] bytes, Path file, List<MetadataRecord> out) throws CorruptMetadataLogException {
        int position = 0;
        int lineNumber = 1;
        ChangeInProgress change = null;
        while (position < bytes.length) {
            int end = indexOfNewline(bytes, position);
            boolean newlineMissing = false;
            if (end < 0) {
                if (crcMatches(bytes, position, bytes.length)) {
                    end = bytes.length;
                } else if (crcMatches(bytes, position, bytes.length - 1)) {
                    end = bytes.length - 1;
                } else {
                    return tornAt(position, change);
                }
                newlineMissing = true;
            } else if (!crcMatches(bytes, position, end)) {
                if (isTornTail(bytes, position)) {
                    return tornAt(position, change);
                }
                throw new CorruptMetadataLogException(
                        file,
                        position,
                        "line " + lineNumber + " does not match its CRC32C: " + quote(bytes, position, end),
                        bytes.length - position,
                        REPAIR);
            }
            String record = new String(
                    bytes, position + CRC_HEX_DIGITS + 1, end - position - CRC_HEX_DIGITS - 1, StandardCharsets.UTF_8);
            if (record.startsWith(MetadataLog.CHANGE_HEADER + " ")) {
                if (change != null) {
                    throw new CorruptMetadataLogException(
                            file,
                            position,
                            "line " + lineNumber + " starts a change" + " inside the change that starts at byte "
                                    + change.start,
                            bytes.length - position,
                            REPAIR);
                }
                change = new ChangeInProgress(position, changeSize(record, file, position, lineNumber, bytes.length));
            } else {
                MetadataRecord decoded = decode(record, file, position, lineNumber, bytes, end);
                if (change == null) {
                    out.add(decoded);
                } else if (change.add(decoded)) {
                    out.addAll(change.records);
                    change = null;
                }
            }
            if (newlineMissing) {
                return change == null ? new Loaded(end, true) : tornAt(end, change);
            }
            position = end + 1;
            lineNumber++;
        }
        return tornAt(position, change);
    }

    /**
     * Where the kept part of the file ends when what follows {@code position} is a torn tail (or the end of the
     * file): at {@code position}, or at the start of a change that is not whole, whose records were never applied.
     */
    private static Loaded tornAt(int position, ChangeInProgress change) {
        return new Loaded(change == null ? position : change.start, false);
    }

    private static MetadataRecord decode(String record, Path file, int position, int lineNumber, byte[] bytes, int end)
            throws CorruptMetadataLogException {
        try {
            return MetadataRecordDecoder.decode(record);
        } catch (UnsupportedMetadataRecordException e) {
            throw new CorruptMetadataLogException(
                    file,
                    position,
                    "line " + lineNumber + " is a record this" + " broker does not know, " + e.getMessage()
                            + ", written by a newer version",
                    bytes.length - position,
                    NEWER_VERSION);
        } catch (RuntimeException e) {
            throw new CorruptMetadataLogException(
                    file,
                    position,
                    "line " + lineNumber + " does not read back (" + e.getMessage() + "): "
                            + quote(bytes, position, end),
                    bytes.length - position,
                    REPAIR);
        }
    }

    private static int changeSize(String header, Path file, int position, int lineNumber, int fileLength)
            throws CorruptMetadataLogException {
        String count = header.substring(MetadataLog.CHANGE_HEADER.length() + 1);
        try {
            int size = Integer.parseInt(count);
            if (size >= 2 && size <= MetadataLog.MAX_CHANGE_RECORDS) {
                return size;
            }
        } catch (NumberFormatException e) {
            // reported below, with the line
        }
        throw new CorruptMetadataLogException(
                file,
                position,
                "line " + lineNumber + " announces a change of \"" + count + "\" records, not 2.."
                        + MetadataLog.MAX_CHANGE_RECORDS,
                fileLength - position,
                REPAIR);
    }

    /** The records of a several-record change read so far; applied only once all are read. */
    private static final class ChangeInProgress {
        final int start;
        final int size;
        final List<MetadataRecord> records = new ArrayList<>();

        ChangeInProgress(int start, int size) {
            this.start = start;
            this.size = size;
        }

        /** Adds a record; true when the change is whole. */
        boolean add(MetadataRecord record) {
            records.add(record);
            return records.size() == size;
        }
    }

    /** Whether the bytes from {@code from} on are what a crash during the last append can leave (class javadoc). */
    private static boolean isTornTail(byte[] bytes, int from) {
        int position = from;
        while (position < bytes.length) {
            int end = indexOfNewline(bytes, position);
            if (end < 0) {
                return true;
            }
            if (!containsZero(bytes, position, end)) {
                // A whole line of text: written completely, so damaged since; or a record after the damage.
                return false;
            }
            position = end + 1;
        }
        return true;
    }

    private static boolean crcMatches(byte[] bytes, int start, int end) {
        int recordStart = start + CRC_HEX_DIGITS + 1;
        if (recordStart > end || bytes[start + CRC_HEX_DIGITS] != ' ') {
            return false;
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, recordStart, end - recordStart);
        long value = crc.getValue();
        for (int i = 0; i < CRC_HEX_DIGITS; i++) {
            int nibble = (int) (value >>> (4 * (CRC_HEX_DIGITS - 1 - i))) & 0xF;
            if (bytes[start + i] != Character.forDigit(nibble, 16)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOfNewline(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static boolean containsZero(byte[] bytes, int start, int end) {
        for (int i = start; i < end; i++) {
            if (bytes[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /** The start of a line for a message: printable ASCII as is, any other byte as {@code \xNN}. */
    private static String quote(byte[] bytes, int start, int end) {
        StringBuilder text = new StringBuilder("\"");
        int shown = Math.min(end, start + MAX_QUOTED_CHARS);
        for (int i = start; i < shown; i++) {
            int b = bytes[i] & 0xFF;
            if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\') {
                text.append((char) b);
            } else {
                text.append(String.format("\\x%02x", b));
            }
        }
        return text.append(shown < end ? "\"..." : "\"").toString();
    }
}
