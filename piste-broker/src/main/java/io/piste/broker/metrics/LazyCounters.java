package io.piste.broker.metrics;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

/**
 * A fixed number of counters by index (an API's versions, its error codes), each created at its first increment, so
 * that an index never used costs nothing and is not reported. {@code created} is told of each index once, on the
 * thread whose increment created it. Thread-safe.
 */
final class LazyCounters {

    private final AtomicReferenceArray<LongAdder> counts;
    private final IntConsumer created;

    LazyCounters(int size, IntConsumer created) {
        this.counts = new AtomicReferenceArray<>(size);
        this.created = created;
    }

    int size() {
        return counts.length();
    }

    /** Whether {@code index} was ever incremented. */
    boolean used(int index) {
        return index >= 0 && index < counts.length() && counts.get(index) != null;
    }

    /** The count at {@code index}; 0 if it was never incremented (or is out of range). */
    long get(int index) {
        LongAdder count = index >= 0 && index < counts.length() ? counts.get(index) : null;
        return count == null ? 0 : count.sum();
    }

    /** Adds one at {@code index}, which the caller keeps in range. */
    void increment(int index) {
        LongAdder count = counts.get(index);
        if (count == null) {
            if (counts.compareAndSet(index, null, new LongAdder())) {
                created.accept(index);
            }
            count = counts.get(index);
        }
        count.increment();
    }
}
