package io.piste.broker.txn;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/** Records the markers asked for; the first {@link #failures} writes fail with KAFKA_STORAGE_ERROR. */
public final class FakeMarkers implements MarkerWriter {

    record Marker(
            long producerId,
            short epoch,
            boolean commit,
            short version,
            int coordinatorEpoch,
            Set<TopicPartition> partitions) {}

    final List<Marker> written = new CopyOnWriteArrayList<>();
    final AtomicInteger failures = new AtomicInteger();
    /** While set, markers are recorded but not yet durable: their callbacks wait for {@link #release}. */
    volatile boolean holding;

    /** If set, each marker write is told on it, after a short random delay, as a partition's flusher would. */
    volatile ScheduledExecutorService async;

    private final List<Runnable> held = new CopyOnWriteArrayList<>();

    void release() {
        holding = false;
        held.forEach(Runnable::run);
        held.clear();
    }

    @Override
    public void write(
            long producerId,
            short producerEpoch,
            boolean commit,
            short transactionVersion,
            int coordinatorEpoch,
            Set<TopicPartition> partitions,
            Consumer<Map<TopicPartition, Errors>> done) {
        if (failures.getAndDecrement() > 0) {
            TopicPartition first = partitions.iterator().next();
            done.accept(Map.of(first, Errors.KAFKA_STORAGE_ERROR));
            return;
        }
        written.add(new Marker(
                producerId, producerEpoch, commit, transactionVersion, coordinatorEpoch, Set.copyOf(partitions)));
        if (holding) {
            held.add(() -> done.accept(Map.of()));
            return;
        }
        ScheduledExecutorService flusher = async;
        if (flusher != null) {
            flusher.schedule(
                    () -> done.accept(Map.of()), ThreadLocalRandom.current().nextInt(200), TimeUnit.MICROSECONDS);
            return;
        }
        done.accept(Map.of());
    }
}
