package io.piste.it.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a fault test's clients saw, and what must hold of it once the faults are over: every value is unique, each
 * acknowledged one carries the partition and offset its acknowledgement named, and readers during the faults saw
 * the same value at each offset.
 *
 * <p>{@link #check} compares it with a final read of every partition from its start and reports, each with a few
 * examples: acknowledged values lost; an acknowledged value at another offset than its acknowledgement said; a value
 * read twice (a duplicate in the log); an offset that held another value, or did not exist any more, than a reader
 * saw there during the faults (a read above the high watermark that later vanished); a value nobody sent.
 * Thread-safe for the producer's callbacks and one concurrent reader.
 */
final class History {
    private static final int EXAMPLES = 5;

    private final Map<String, Position> acknowledged = new ConcurrentHashMap<>();
    private final Map<Position, String> seenDuringFaults = new ConcurrentHashMap<>();
    private final Map<Position, List<String>> seenTwice = new ConcurrentHashMap<>();
    private final java.util.Set<String> sent = ConcurrentHashMap.newKeySet();

    /** A record's place in the topic. */
    record Position(int partition, long offset) {}

    void sent(String value) {
        sent.add(value);
    }

    void acknowledged(String value, int partition, long offset) {
        acknowledged.put(value, new Position(partition, offset));
    }

    int acknowledgedCount() {
        return acknowledged.size();
    }

    /** A read while the faults go on. */
    void readDuringFaults(int partition, long offset, String value) {
        Position at = new Position(partition, offset);
        String before = seenDuringFaults.putIfAbsent(at, value);
        if (before != null && !before.equals(value)) {
            seenTwice.put(at, List.of(before, value));
        }
    }

    int readDuringFaultsCount() {
        return seenDuringFaults.size();
    }

    /**
     * The violations found against {@code finalRead}, every record of every partition from offset 0 to its end, in
     * offset order per partition; none if all holds.
     */
    List<String> check(Map<Integer, List<Read>> finalRead) {
        Map<Position, String> log = new HashMap<>();
        Map<String, Position> placeOf = new HashMap<>();
        Violations violations = new Violations();
        for (Map.Entry<Integer, List<Read>> partition : finalRead.entrySet()) {
            for (Read read : partition.getValue()) {
                Position at = new Position(partition.getKey(), read.offset());
                log.put(at, read.value());
                Position earlier = placeOf.putIfAbsent(read.value(), at);
                if (earlier != null) {
                    violations.add("duplicated", read.value() + " at " + earlier + " and " + at);
                }
                if (!sent.contains(read.value())) {
                    violations.add("never sent", read.value() + " at " + at);
                }
            }
        }
        acknowledged.forEach((value, ackedAt) -> {
            Position at = placeOf.get(value);
            if (at == null) {
                violations.add("acknowledged and lost", value + " acknowledged at " + ackedAt);
            } else if (!at.equals(ackedAt)) {
                violations.add(
                        "acknowledged at another offset",
                        value + " acknowledged at " + ackedAt + ", in " + "the log at " + at);
            }
        });
        seenDuringFaults.forEach((at, value) -> {
            String now = log.get(at);
            if (!value.equals(now)) {
                violations.add("read during the faults, gone since", value + " read at " + at + ", now " + now);
            }
        });
        seenTwice.forEach((at, values) -> violations.add("two values at one offset", at + " read as " + values));
        return violations.summary();
    }

    /** One record of the final read. */
    record Read(long offset, String value) {}

    /** Violations by kind, counted, with the first few of each as examples. */
    private static final class Violations {
        private final Map<String, List<String>> examples = new HashMap<>();
        private final Map<String, Integer> counts = new HashMap<>();

        void add(String kind, String example) {
            counts.merge(kind, 1, Integer::sum);
            List<String> some = examples.computeIfAbsent(kind, k -> new ArrayList<>());
            if (some.size() < EXAMPLES) {
                some.add(example);
            }
        }

        List<String> summary() {
            List<String> lines = new ArrayList<>();
            counts.forEach((kind, count) -> lines.add(count + " " + kind + ", e.g. " + examples.get(kind)));
            return lines;
        }
    }
}
