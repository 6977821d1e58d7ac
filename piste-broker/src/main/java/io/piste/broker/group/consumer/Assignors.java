package io.piste.broker.group.consumer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The server assignors a broker offers ({@code group.consumer.assignors}), the first being the default. Names are
 * Kafka's short names; Kafka's class names ({@code org.apache.kafka.coordinator.group.assignor.UniformAssignor})
 * are accepted for the same assignors.
 */
final class Assignors {

    private final Map<String, PartitionAssignor> byName = new LinkedHashMap<>();

    Assignors(List<String> names) {
        for (String name : names) {
            PartitionAssignor assignor = create(name);
            byName.put(assignor.name(), assignor);
        }
        if (byName.isEmpty()) {
            throw new IllegalArgumentException("group.consumer.assignors must name at least one assignor");
        }
    }

    private static PartitionAssignor create(String name) {
        String shortName = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        if (shortName.endsWith("assignor")) {
            shortName = shortName.substring(0, shortName.length() - "assignor".length());
        }
        return switch (shortName) {
            case UniformAssignor.NAME -> new UniformAssignor();
            case RangeAssignor.NAME -> new RangeAssignor();
            default ->
                throw new IllegalArgumentException("unknown consumer group assignor " + name
                        + " in group.consumer.assignors (known: uniform, range)");
        };
    }

    /** The assignor of that name, or null (UNSUPPORTED_ASSIGNOR). */
    PartitionAssignor get(String name) {
        return byName.get(name);
    }

    PartitionAssignor defaultAssignor() {
        return byName.values().iterator().next();
    }
}
