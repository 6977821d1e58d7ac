package io.piste.broker.group;

import java.nio.charset.StandardCharsets;

/**
 * The one size limit of a string stored in {@code __consumer_offsets}: an int16 length, so at most 32767 bytes of
 * UTF-8. A string read from a request within that limit may still encode longer (each malformed byte becomes
 * U+FFFD, three bytes), so requests are checked against it before any group state changes. Stateless; any thread.
 */
public final class StoredStrings {

    /** The most bytes of UTF-8 a stored string may take. */
    public static final int MAX_BYTES = Short.MAX_VALUE;

    private StoredStrings() {}

    /** Whether {@code value} (null fits) can be stored. */
    public static boolean fits(String value) {
        return value == null || value.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES;
    }

    /** The message naming the field for a string that does not fit, or null if it fits. */
    public static String tooLong(String field, String value) {
        if (fits(value)) {
            return null;
        }
        return field + " is longer than " + MAX_BYTES + " bytes of UTF-8 (" + value.length() + " chars).";
    }

    /** {@code value} cut to 64 chars for a log line. */
    public static String abbreviated(String value) {
        return value == null || value.length() <= 64
                ? value
                : value.substring(0, 64) + "... (" + value.length() + " chars)";
    }
}
