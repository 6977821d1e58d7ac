package io.piste.storage.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Kafka's checkpoint text format: a line with the version {@code 0}, a line with the entry count, then one line
 * per entry of space-separated fields. Stateless.
 */
final class CheckpointText {
    static final int VERSION = 0;

    private CheckpointText() {}

    static String format(List<String> entryLines) {
        StringBuilder sb = new StringBuilder();
        sb.append(VERSION).append('\n').append(entryLines.size()).append('\n');
        for (String line : entryLines) {
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    /**
     * Entry lines split into exactly {@code fields} fields; null if the file is missing. One pass over the decoded
     * text: a broker reads checkpoints of tens of thousands of partitions at each start, before the JIT has compiled
     * anything, and a line reader with a regex split per line cost ~0.2 s of CPU there at 20,000 partitions.
     */
    static List<String[]> read(Path file, int fields) throws IOException {
        String text;
        try {
            // A decoder that reports malformed bytes, as Files.readAllLines does, instead of replacing them.
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (NoSuchFileException e) {
            return null;
        }
        Lines lines = new Lines(text);
        String version = lines.next();
        String countLine = lines.next();
        if (version == null || countLine == null || !version.trim().equals(String.valueOf(VERSION))) {
            throw new IOException("malformed checkpoint, bad version line: file=" + file);
        }
        int count;
        try {
            count = Integer.parseInt(countLine.trim());
        } catch (NumberFormatException e) {
            throw new IOException("malformed checkpoint, bad count line: file=" + file + " line=" + countLine);
        }
        // Bounded by the bytes present: each entry takes a line, so no more entries than newlines are believed.
        if (count < 0 || count > lines.remainingAtMost()) {
            throw new IOException("malformed checkpoint, expected entries=" + count + " file=" + file);
        }
        List<String[]> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String line = lines.next();
            if (line == null) {
                throw new IOException("malformed checkpoint, expected entries=" + count + " file=" + file);
            }
            String[] parts = split(line.trim(), fields);
            if (parts == null) {
                throw new IOException("malformed checkpoint entry: file=" + file + " line=" + line);
            }
            entries.add(parts);
        }
        return entries;
    }

    /** {@code line} split at single spaces into exactly {@code fields} fields (empty ones count), else null. */
    private static String[] split(String line, int fields) {
        String[] parts = new String[fields];
        int from = 0;
        for (int f = 0; f < fields - 1; f++) {
            int space = line.indexOf(' ', from);
            if (space < 0) {
                return null;
            }
            parts[f] = line.substring(from, space);
            from = space + 1;
        }
        if (line.indexOf(' ', from) >= 0) {
            return null;
        }
        parts[fields - 1] = line.substring(from);
        return parts;
    }

    /** The lines of a text, split at {@code \n} (a {@code \r} before it goes with the line, which callers trim). */
    private static final class Lines {
        private final String text;
        private int position;

        Lines(String text) {
            this.text = text;
        }

        /** The next line without its {@code \n}, or null at the end of the text. */
        String next() {
            if (position >= text.length()) {
                return null;
            }
            int end = text.indexOf('\n', position);
            if (end < 0) {
                end = text.length();
            }
            String line = text.substring(position, end);
            position = end + 1;
            return line;
        }

        /** No fewer than the lines left: the characters left, each line taking one at least. */
        int remainingAtMost() {
            return text.length() - position;
        }
    }

    static long parseLong(Path file, String value) throws IOException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IOException("malformed checkpoint number: file=" + file + " value=" + value);
        }
    }
}
