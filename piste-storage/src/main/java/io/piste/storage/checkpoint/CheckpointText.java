package io.piste.storage.checkpoint;

import java.io.IOException;
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

    /** Entry lines split into exactly {@code fields} fields; null if the file is missing. */
    static List<String[]> read(Path file, int fields) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (lines.size() < 2 || !lines.get(0).trim().equals(String.valueOf(VERSION))) {
            throw new IOException("malformed checkpoint, bad version line: file=" + file);
        }
        int count;
        try {
            count = Integer.parseInt(lines.get(1).trim());
        } catch (NumberFormatException e) {
            throw new IOException("malformed checkpoint, bad count line: file=" + file + " line=" + lines.get(1));
        }
        if (count < 0 || lines.size() < 2 + count) {
            throw new IOException("malformed checkpoint, expected entries=" + count + " file=" + file);
        }
        List<String[]> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String line = lines.get(2 + i);
            String[] parts = line.trim().split(" ");
            if (parts.length != fields) {
                throw new IOException("malformed checkpoint entry: file=" + file + " line=" + line);
            }
            entries.add(parts);
        }
        return entries;
    }

    static long parseLong(Path file, String value) throws IOException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IOException("malformed checkpoint number: file=" + file + " value=" + value);
        }
    }
}
