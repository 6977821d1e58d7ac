package io.piste.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exactly-once consume-transform-produce through kill -9: an application (a read_committed consumer of a group and
 * a transactional producer, offsets committed with {@code sendOffsetsToTransaction}, small transactions) copies
 * {@value #RECORDS} numbered records from a four-partition input topic to a four-partition output topic while the
 * broker is killed with SIGKILL {@value #KILLS} times at seeded random moments and restarted on the same dirs and
 * port. The application runs the standard EOS loop: an abortable error aborts the transaction and rewinds the
 * consumer to its group's committed offsets; a fatal one (fenced, or anything the abort cannot handle) closes both
 * clients and starts again with new ones. After the last restart and the application's end: a read_committed read of
 * the output holds every input record exactly once, no transaction is left Ongoing or Prepare*, and every output
 * partition's last stable offset equals its high watermark. The seed is printed; replay it with
 * {@code -Dtxn.crash.seed=<seed>}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TransactionsCrashIT {
    private static final String INPUT = "eos-crash-in";
    private static final String OUTPUT = "eos-crash-out";
    private static final String GROUP = "eos-crash-app";
    private static final String TRANSACTIONAL_ID = "eos-crash-app-tx";
    private static final int PARTITIONS = 4;
    private static final int RECORDS = 3_000;
    private static final int KILLS = 4;
    private static final Duration APP_FINISH = Duration.ofSeconds(60);

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    /** Records of input copied in transactions whose commit returned (a retried input counts again). */
    private final AtomicLong committedRecords = new AtomicLong();

    private final AtomicLong committedTransactions = new AtomicLong();
    private final AtomicLong abortedTransactions = new AtomicLong();
    private final AtomicLong clientRestarts = new AtomicLong();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean stop = new AtomicBoolean();

    @Test
    void shouldCopyEveryRecordExactlyOnceThroughKill9DuringTransactions() throws Exception {
        long seed = Long.getLong("txn.crash.seed", System.nanoTime());
        System.out.println("TransactionsCrashIT seed=" + seed + " (replay with -Dtxn.crash.seed=" + seed + ")");
        Random random = new Random(seed);
        long started = System.nanoTime();
        Path dir = TestDirs.create("txn-crash");
        BrokerProcess broker = brokers.start(
                "txn-crash-broker",
                dir.resolve("logs"),
                dir,
                Map.of(
                        "offsets.topic.num.partitions", "3",
                        "transaction.state.log.num.partitions", "3",
                        "group.initial.rebalance.delay.ms", "0"));
        String bootstrap = broker.bootstrapServers();
        try (Admin admin = Clients.admin(bootstrap)) {
            admin.createTopics(List.of(
                            new NewTopic(INPUT, PARTITIONS, (short) 1), new NewTopic(OUTPUT, PARTITIONS, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(INPUT, i % PARTITIONS, String.valueOf(i), String.valueOf(i)));
            }
            producer.flush();
        }
        Map<TopicPartition, Long> inputEnds = inputEnds(bootstrap);
        assertThat(inputEnds.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(RECORDS);

        Thread app = new Thread(() -> runApplication(bootstrap, inputEnds), "eos-crash-app");
        app.start();
        try {
            for (int kill = 0; kill < KILLS; kill++) {
                // spread over the run: the kill falls after a share of the input is through, at a random moment
                long progress = (long) RECORDS * (kill + 1) / (KILLS + 2);
                Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(40));
                while (committedRecords.get() < progress && !deadline.passed() && !finished.get()) {
                    Thread.sleep(5);
                }
                assertThat(finished.get())
                        .as("the application is still running at kill %d", kill)
                        .isFalse();
                Thread.sleep(random.nextInt(400));
                broker.kill9();
                System.out.println("TransactionsCrashIT kill " + (kill + 1) + " after committedRecords="
                        + committedRecords.get() + " transactions=" + committedTransactions.get());
                Thread.sleep(random.nextInt(1000));
                broker.restart();
            }
            app.join(APP_FINISH.toMillis());
            assertThat(finished.get())
                    .as("the application copied all input in time")
                    .isTrue();
        } finally {
            stop.set(true);
            app.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(app.isAlive()).isFalse();
        System.out.println("TransactionsCrashIT: seed=" + seed + " committedTransactions=" + committedTransactions
                + " abortedTransactions=" + abortedTransactions + " clientRestarts=" + clientRestarts
                + " brokerStarts=" + (KILLS + 1) + " tookMs=" + (System.nanoTime() - started) / 1_000_000);

        assertEveryInputExactlyOnce(bootstrap);
        try (Admin admin = Clients.admin(bootstrap)) {
            assertNoTransactionHangs(admin);
            assertStableEqualsHighWatermark(admin);
        }
    }

    /** The standard exactly-once loop, restarted with new clients after a fatal error, until all input is copied. */
    private void runApplication(String bootstrap, Map<TopicPartition, Long> inputEnds) {
        Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(150));
        while (!stop.get() && !deadline.passed() && !finished.get()) {
            try (KafkaProducer<String, String> producer = Clients.producer(
                            bootstrap,
                            Clients.props(
                                    ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                                    TRANSACTIONAL_ID,
                                    ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                                    20_000));
                    KafkaConsumer<String, String> consumer = Clients.consumer(
                            bootstrap,
                            Clients.props(
                                    ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 25,
                                    ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                                    ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000))) {
                // the producer first: its initTransactions ends the transaction an earlier producer left open, so
                // that the group's committed offsets the consumer starts from are stable
                producer.initTransactions();
                consumer.subscribe(List.of(INPUT));
                copyUntilDoneOrFatal(producer, consumer, inputEnds);
            } catch (RuntimeException e) {
                // the broker is down or restarting, or the clients were fenced: start again with new ones
            }
            if (!finished.get()) {
                clientRestarts.incrementAndGet();
                Bounded.sleep(Duration.ofMillis(200));
            }
        }
    }

    private void copyUntilDoneOrFatal(
            KafkaProducer<String, String> producer,
            KafkaConsumer<String, String> consumer,
            Map<TopicPartition, Long> inputEnds) {
        while (!stop.get()) {
            ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
            if (records.isEmpty()) {
                if (allCopied(consumer, inputEnds)) {
                    finished.set(true);
                    return;
                }
                continue;
            }
            try {
                producer.beginTransaction();
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<String, String> record : records) {
                    producer.send(new ProducerRecord<>(OUTPUT, record.partition(), record.key(), record.value()));
                    offsets.put(
                            new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1));
                }
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                producer.commitTransaction();
                committedTransactions.incrementAndGet();
                committedRecords.addAndGet(records.count());
            } catch (ProducerFencedException
                    | OutOfOrderSequenceException
                    | AuthorizationException
                    | UnsupportedVersionException fatal) {
                throw fatal;
            } catch (KafkaException abortable) {
                // throws in turn if the transaction cannot be aborted (a commit that timed out): new clients then
                producer.abortTransaction();
                abortedTransactions.incrementAndGet();
                rewindToCommitted(consumer);
            }
        }
    }

    private static void rewindToCommitted(KafkaConsumer<String, String> consumer) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(consumer.assignment());
        for (TopicPartition tp : consumer.assignment()) {
            OffsetAndMetadata offset = committed.get(tp);
            if (offset == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, offset.offset());
            }
        }
    }

    /** After a commit, the positions are the committed offsets: all input is copied once they reach its end. */
    private static boolean allCopied(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> inputEnds) {
        if (!consumer.assignment().equals(inputEnds.keySet())) {
            return false;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(inputEnds.keySet());
        return inputEnds.entrySet().stream().allMatch(e -> {
            OffsetAndMetadata offset = committed.get(e.getKey());
            return offset != null && offset.offset() >= e.getValue();
        });
    }

    private static Map<TopicPartition, Long> inputEnds(String bootstrap) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap)) {
            return new HashMap<>(consumer.endOffsets(partitions(INPUT)));
        }
    }

    private static List<TopicPartition> partitions(String topic) {
        return IntStream.range(0, PARTITIONS)
                .mapToObj(p -> new TopicPartition(topic, p))
                .toList();
    }

    private static void assertEveryInputExactlyOnce(String bootstrap) {
        Map<String, Integer> copies = new TreeMap<>();
        List<TopicPartition> output = partitions(OUTPUT);
        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(bootstrap, Clients.props(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            consumer.assign(output);
            consumer.seekToBeginning(output);
            Map<TopicPartition, Long> ends = consumer.endOffsets(output);
            Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(30));
            while (output.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp)) && !deadline.passed()) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> copies.merge(r.value(), 1, Integer::sum));
            }
            for (TopicPartition tp : output) {
                assertThat(consumer.position(tp))
                        .as("read to the end of %s", tp)
                        .isEqualTo(ends.get(tp));
            }
        }
        Map<String, Integer> duplicated = copies.entrySet().stream()
                .filter(e -> e.getValue() != 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        List<Integer> missing = IntStream.range(0, RECORDS)
                .filter(i -> !copies.containsKey(String.valueOf(i)))
                .boxed()
                .toList();
        assertThat(duplicated).as("input records copied more than once").isEmpty();
        assertThat(missing).as("input records never copied").isEmpty();
        assertThat(copies).hasSize(RECORDS);
    }

    private static void assertNoTransactionHangs(Admin admin) throws Exception {
        List<TransactionListing> open = new ArrayList<>();
        Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(20));
        do {
            open.clear();
            for (TransactionListing listing : admin.listTransactions().all().get(20, TimeUnit.SECONDS)) {
                TransactionState state = listing.state();
                if (state == TransactionState.ONGOING
                        || state == TransactionState.PREPARE_COMMIT
                        || state == TransactionState.PREPARE_ABORT) {
                    open.add(listing);
                }
            }
        } while (!open.isEmpty() && !deadline.passed() && sleptBriefly());
        assertThat(open).as("transactions still open").isEmpty();
    }

    private static void assertStableEqualsHighWatermark(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest =
                partitions(OUTPUT).stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all()
                .get(20, TimeUnit.SECONDS);
        var highWatermarks = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                .all()
                .get(20, TimeUnit.SECONDS);
        for (TopicPartition tp : latest.keySet()) {
            assertThat(stable.get(tp).offset())
                    .as("last stable offset of %s", tp)
                    .isEqualTo(highWatermarks.get(tp).offset());
        }
    }

    private static boolean sleptBriefly() {
        Bounded.sleep(Duration.ofMillis(200));
        return true;
    }
}
