package io.piste.server.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;

/** What the topic and config commands share about configs: the alter operations and how entries are shown. */
final class Configs {
    private Configs() {}

    static Collection<AlterConfigOp> ops(Map<String, String> set, List<String> delete) {
        List<AlterConfigOp> ops = new ArrayList<>();
        set.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
        for (String key : delete) {
            ops.add(new AlterConfigOp(new ConfigEntry(key, null), AlterConfigOp.OpType.DELETE));
        }
        return ops;
    }

    static String summary(Map<String, String> set, List<String> delete) {
        List<String> parts = new ArrayList<>();
        set.forEach((k, v) -> parts.add(k + "=" + v));
        String summary = parts.isEmpty() ? "" : "set " + String.join(", ", parts);
        if (!delete.isEmpty()) {
            summary += (summary.isEmpty() ? "" : "; ") + "deleted " + String.join(", ", delete);
        }
        return summary;
    }

    /** The value to show: sensitive values are hidden by the broker (null) and say so. */
    static String value(ConfigEntry entry) {
        if (entry.isSensitive()) {
            return "(sensitive)";
        }
        return entry.value() == null ? "null" : entry.value();
    }

    /** A short name of where a value comes from, as kafka-configs --describe words it. */
    static String sourceName(ConfigEntry.ConfigSource source) {
        return switch (source) {
            case DYNAMIC_TOPIC_CONFIG -> "topic";
            case DYNAMIC_BROKER_CONFIG -> "dynamic broker";
            case DYNAMIC_DEFAULT_BROKER_CONFIG -> "dynamic cluster default";
            case DYNAMIC_CLIENT_METRICS_CONFIG -> "client metrics";
            case DYNAMIC_GROUP_CONFIG -> "group";
            case STATIC_BROKER_CONFIG -> "broker";
            case DEFAULT_CONFIG -> "default";
            case DYNAMIC_BROKER_LOGGER_CONFIG -> "broker logger";
            default -> source.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
