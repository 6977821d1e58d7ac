package io.piste.bench.compare;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Time for a consumer group to become stable again after one member leaves.
 *
 * <p>A producer writes a trickle of records to every partition of a topic (round robin, {@code --rate} records/s),
 * so that a member that owns a partition sees records from it. {@code --members} consumers subscribe with one
 * group and {@code group.protocol} {@code classic} or {@code consumer} (KIP-848). The group is <em>stable</em> when
 * the members' assignments (as told by their rebalance listeners) are disjoint, cover every partition, every
 * member owns at least one partition and has received a record from an owned partition since its assignment last
 * changed, and nothing changes for {@code --quiet-ms}.
 *
 * <p>Once stable, member 0 is closed ({@code close()}: a classic member sends LeaveGroup, a KIP-848 member a
 * leave heartbeat). The result is the time from the start of {@code close()} to the moment the remaining members
 * were stable again: the later of their last assignment change and the first record each got afterwards;
 * {@code assigned_after_leave_ms} is the part up to the last assignment change (mostly the members' wait for their
 * next heartbeat), the rest is the wait for records from the new partitions.
 *
 * <p>The first leave comes {@code --quiet-ms} after the group became stable, while the members may still heartbeat
 * at the pace of a changing group. Then, {@code --settle-ms} after the group is stable again (longer than the
 * heartbeat intervals, so members are back at the configured pace; negative: skip it), member 1 leaves too, and
 * the same two times are measured for the 8 left: {@code stable_after_settled_leave_ms},
 * {@code assigned_after_settled_leave_ms}.
 *
 * <p>Prints {@code result=ok protocol=.. members=.. partitions=.. initial_stable_ms=.. close_ms=..
 * stable_after_leave_ms=.. assigned_after_leave_ms=.. stable_after_settled_leave_ms=..
 * assigned_after_settled_leave_ms=..}, or {@code result=unsupported protocol=.. reason=".."} (exit 0) when the
 * broker refuses the protocol (no ConsumerGroupHeartbeat), or {@code result=failed ..} (exit 1).
 *
 * <p>Usage: {@code RebalanceTime --bootstrap H:P --topic T [--protocol classic|consumer] [--partitions 60]
 * [--members 10] [--rate 600] [--quiet-ms 3000] [--settle-ms 12000] [--timeout-ms 90000]}.
 */
public final class RebalanceTime {

    private RebalanceTime() {}

    public static void main(String[] args) throws Exception {
        OmbStyleWorkload.Args a = OmbStyleWorkload.Args.parse(args);
        String bootstrap = a.get("bootstrap", null);
        String topic = a.get("topic", null);
        if (bootstrap == null || topic == null) {
            System.err.println("usage: RebalanceTime --bootstrap H:P --topic T [options, see javadoc]");
            System.exit(2);
        }
        String protocol = a.get("protocol", "classic");
        int partitions = a.getInt("partitions", 60);
        int memberCount = a.getInt("members", 10);
        int rate = a.getInt("rate", 600);
        long quietMs = a.getInt("quiet-ms", 3000);
        long timeoutMs = a.getInt("timeout-ms", 90_000);
        long settleMs = a.getInt("settle-ms", 12_000);
        OmbStyleWorkload.createTopic(bootstrap, topic, partitions);

        TrickleProducer trickle = new TrickleProducer(bootstrap, topic, partitions, rate);
        Thread trickleThread = new Thread(trickle, "trickle-producer");
        trickleThread.setDaemon(true);
        trickleThread.start();

        List<Member> members = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < memberCount; i++) {
            Member m = new Member(i, props(bootstrap, topic, protocol, i), topic);
            members.add(m);
            Thread t = new Thread(m, "member-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        String prefix = "protocol=" + protocol + " members=" + memberCount + " partitions=" + partitions;
        int code = 0;
        try {
            long initialStableNs = awaitStable(members, partitions, quietMs, t0, timeoutMs);
            if (initialStableNs < 0) {
                code = report(prefix, members, "group did not become stable within " + timeoutMs + " ms");
                return;
            }
            Leave first = leave(members, 0, partitions, quietMs, timeoutMs);
            if (first == null) {
                code = report(
                        prefix, members, "group did not become stable within " + timeoutMs + " ms after member 0 left");
                return;
            }
            // A group that has been settled for longer than the heartbeat intervals (its members heartbeat at the
            // configured pace), and then loses another member.
            if (settleMs >= 0) {
                Thread.sleep(settleMs);
            }
            Leave second = settleMs < 0 ? null : leave(members, 1, partitions, quietMs, timeoutMs);
            if (settleMs >= 0 && second == null) {
                code = report(
                        prefix, members, "group did not become stable within " + timeoutMs + " ms after member 1 left");
                return;
            }
            System.out.printf(
                    "result=ok %s initial_stable_ms=%.0f close_ms=%.0f stable_after_leave_ms=%.0f"
                            + " assigned_after_leave_ms=%.0f%s%n",
                    prefix,
                    (initialStableNs - t0) / 1e6,
                    first.closeMs,
                    first.stableMs,
                    first.assignedMs,
                    second == null
                            ? ""
                            : String.format(
                                    " stable_after_settled_leave_ms=%.0f" + " assigned_after_settled_leave_ms=%.0f",
                                    second.stableMs, second.assignedMs));
        } finally {
            for (Member m : members) {
                m.stop = true;
            }
            trickle.stop = true;
            for (Thread t : threads) {
                t.join(30_000);
            }
            trickleThread.join(10_000);
            System.out.flush();
            if (code != 0) {
                System.exit(code);
            }
        }
    }

    /** One member's leave: how long its close took, and until the rest were stable and last got partitions. */
    private record Leave(double closeMs, double stableMs, double assignedMs) {}

    /** Closes member {@code index} (the members before it are gone) and waits for the rest; null on failure. */
    private static Leave leave(List<Member> members, int index, int partitions, long quietMs, long timeoutMs)
            throws InterruptedException {
        Member leaving = members.get(index);
        List<Member> remaining = members.subList(index + 1, members.size());
        long closeStart = System.nanoTime();
        leaving.closeRequested = true;
        long stableNs = awaitStable(remaining, partitions, quietMs, closeStart, timeoutMs);
        if (stableNs < 0) {
            return null;
        }
        long lastAssigned = closeStart;
        for (Member m : remaining) {
            lastAssigned = Math.max(lastAssigned, m.lastChangeNs);
        }
        while (leaving.closeEndNs == 0 && System.nanoTime() - closeStart < TimeUnit.SECONDS.toNanos(30)) {
            Thread.sleep(10);
        }
        return new Leave(
                (leaving.closeEndNs - closeStart) / 1e6,
                (stableNs - closeStart) / 1e6,
                (lastAssigned - closeStart) / 1e6);
    }

    /** Prints unsupported (exit 0) or failed (exit 1) and returns the exit code. */
    private static int report(String prefix, List<Member> members, String what) {
        for (Member m : members) {
            Throwable e = m.error;
            if (e != null && isUnsupported(e)) {
                System.out.printf("result=unsupported %s reason=\"%s\"%n", prefix, oneLine(e));
                return 0;
            }
        }
        StringBuilder errors = new StringBuilder();
        for (Member m : members) {
            if (m.error != null) {
                errors.append(" member-").append(m.id).append(": ").append(oneLine(m.error));
            }
        }
        System.out.printf("result=failed %s reason=\"%s%s\"%n", prefix, what, errors);
        return 1;
    }

    private static boolean isUnsupported(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnsupportedVersionException) {
                return true;
            }
            String m = String.valueOf(t.getMessage());
            if (m.contains("does not support") || m.contains("not supported") || m.contains("UNSUPPORTED_VERSION")) {
                return true;
            }
        }
        return false;
    }

    private static String oneLine(Throwable e) {
        return (e.getClass().getSimpleName() + ": " + e.getMessage())
                .replace('"', '\'')
                .replace('\n', ' ');
    }

    /**
     * Polls the members every 10 ms until they are stable for {@code quietMs}; returns the time (nanoTime) they
     * became stable, or -1 at the deadline or when a member failed.
     */
    private static long awaitStable(List<Member> members, int partitions, long quietMs, long fromNs, long timeoutMs)
            throws InterruptedException {
        long deadline = fromNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            long stableAt = stableSince(members, partitions);
            if (stableAt == Long.MIN_VALUE) {
                return -1;
            }
            if (stableAt > 0 && System.nanoTime() - stableAt >= TimeUnit.MILLISECONDS.toNanos(quietMs)) {
                return stableAt;
            }
            Thread.sleep(10);
        }
        return -1;
    }

    /**
     * When the members became stable (nanoTime), 0 if they are not, {@code Long.MIN_VALUE} if one failed.
     */
    private static long stableSince(List<Member> members, int partitions) {
        Set<Integer> union = new HashSet<>();
        long latest = 0;
        for (Member m : members) {
            if (m.error != null) {
                return Long.MIN_VALUE;
            }
            // Read the time first: a change after it makes firstRecordNs -1 or the set different.
            long changed = m.lastChangeNs;
            long firstRecord = m.firstRecordNs;
            Set<Integer> owned = Set.copyOf(m.owned);
            if (owned.isEmpty() || firstRecord < 0 || changed != m.lastChangeNs) {
                return 0;
            }
            for (Integer p : owned) {
                if (!union.add(p)) {
                    return 0; // two members own the same partition: a rebalance is still going on
                }
            }
            latest = Math.max(latest, Math.max(changed, firstRecord));
        }
        return union.size() == partitions ? latest : 0;
    }

    private static Properties props(String bootstrap, String topic, String protocol, int index) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "rebalance-" + protocol + "-" + topic);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "rebalance-" + protocol + "-" + index);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        return props;
    }

    /** One group member on its own thread; the listener runs on that thread inside poll(). */
    static final class Member implements Runnable {
        final int id;
        private final Properties props;
        private final String topic;
        final Set<Integer> owned = ConcurrentHashMap.newKeySet();
        volatile long lastChangeNs;
        volatile long firstRecordNs = -1;
        volatile boolean closeRequested;
        volatile boolean stop;
        volatile long closeEndNs;
        volatile Throwable error;

        Member(int id, Properties props, String topic) {
            this.id = id;
            this.props = props;
            this.topic = topic;
        }

        @Override
        public void run() {
            KafkaConsumer<byte[], byte[]> consumer = null;
            try {
                consumer = new KafkaConsumer<>(props);
                consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        change(partitions, false);
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        change(partitions, true);
                    }

                    @Override
                    public void onPartitionsLost(Collection<TopicPartition> partitions) {
                        change(partitions, false);
                    }
                });
                while (!stop && !closeRequested) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(50));
                    if (firstRecordNs < 0 && !records.isEmpty()) {
                        long now = System.nanoTime();
                        for (ConsumerRecord<byte[], byte[]> r : records) {
                            if (owned.contains(r.partition())) {
                                firstRecordNs = now;
                                break;
                            }
                        }
                    }
                }
            } catch (RuntimeException e) {
                error = e;
            } finally {
                if (consumer != null) {
                    consumer.close(CloseOptions.timeout(Duration.ofSeconds(30)));
                }
                closeEndNs = System.nanoTime();
            }
        }

        private void change(Collection<TopicPartition> partitions, boolean add) {
            boolean changed = false;
            for (TopicPartition tp : partitions) {
                changed |= add ? owned.add(tp.partition()) : owned.remove(tp.partition());
            }
            if (changed) {
                firstRecordNs = -1;
                lastChangeNs = System.nanoTime();
            }
        }
    }

    /** Writes small records round robin over every partition at a fixed rate. */
    static final class TrickleProducer implements Runnable {
        private final Properties props = new Properties();
        private final String topic;
        private final int partitions;
        private final long intervalNs;
        volatile boolean stop;

        TrickleProducer(String bootstrap, String topic, int partitions, int rate) {
            this.topic = topic;
            this.partitions = partitions;
            this.intervalNs = TimeUnit.SECONDS.toNanos(1) / Math.max(1, rate);
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            props.put(ProducerConfig.ACKS_CONFIG, "1");
            props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        }

        @Override
        public void run() {
            byte[] value = new byte[100];
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
                long next = System.nanoTime();
                for (long i = 0; !stop; i++) {
                    producer.send(new ProducerRecord<>(topic, (int) (i % partitions), null, value));
                    next += intervalNs;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                System.err.println("ERROR: trickle producer failed: " + e);
            }
        }
    }
}
