package io.piste.server.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * How {@code piste consume} prints a record. Plain follows kafka-console-consumer's DefaultMessageFormatter
 * (tab-separated {@code CreateTime:ts}, {@code Partition:p}, {@code Offset:o}, headers {@code k:v,k:v} or
 * {@code NO_HEADERS}, key, value; nulls as {@code null}); JSON is one object per line with every field. Keys,
 * values and headers are decoded as UTF-8.
 */
final class RecordFormat {
    enum Kind {
        plain,
        json
    }

    private final Kind kind;
    private final boolean printKey;
    private final boolean printOffset;
    private final boolean printHeaders;
    private final boolean printTimestamp;

    RecordFormat(Kind kind, boolean printKey, boolean printOffset, boolean printHeaders, boolean printTimestamp) {
        this.kind = kind;
        this.printKey = printKey;
        this.printOffset = printOffset;
        this.printHeaders = printHeaders;
        this.printTimestamp = printTimestamp;
    }

    String format(ConsumerRecord<byte[], byte[]> record) {
        return kind == Kind.json ? json(record) : plain(record);
    }

    private String plain(ConsumerRecord<byte[], byte[]> record) {
        StringBuilder line = new StringBuilder();
        if (printTimestamp) {
            line.append(record.timestampType())
                    .append(':')
                    .append(record.timestamp())
                    .append('\t');
        }
        if (printOffset) {
            line.append("Partition:").append(record.partition()).append('\t');
            line.append("Offset:").append(record.offset()).append('\t');
        }
        if (printHeaders) {
            StringBuilder headers = new StringBuilder();
            for (Header header : record.headers()) {
                headers.append(headers.length() == 0 ? "" : ",")
                        .append(header.key())
                        .append(':')
                        .append(text(header.value()));
            }
            line.append(headers.length() == 0 ? "NO_HEADERS" : headers).append('\t');
        }
        if (printKey) {
            line.append(text(record.key())).append('\t');
        }
        line.append(text(record.value()));
        return line.toString();
    }

    private static String json(ConsumerRecord<byte[], byte[]> record) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("topic", record.topic());
        object.put("partition", record.partition());
        object.put("offset", record.offset());
        object.put("timestamp", record.timestamp());
        object.put("key", decode(record.key()));
        object.put("value", decode(record.value()));
        // A list of {key, value} rather than an object: a header key may repeat and the order matters.
        List<Object> headers = new ArrayList<>();
        for (Header header : record.headers()) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("key", header.key());
            h.put("value", decode(header.value()));
            headers.add(h);
        }
        object.put("headers", headers);
        return Json.write(object);
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "null" : new String(bytes, StandardCharsets.UTF_8);
    }

    private static String decode(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
