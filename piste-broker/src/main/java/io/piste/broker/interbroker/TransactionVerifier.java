package io.piste.broker.interbroker;

import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.txn.RemoteCoordinators;
import io.piste.broker.txn.TransactionStateTopic;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the transaction coordinator of another node whether a transactional batch may be appended here (KIP-890):
 * Kafka's AddPartitionsToTxn in its broker form, verify-only, or adding the partitions (protocol v2). One thread,
 * so a producer's requests are verified, and then appended, in the order they came; an unreachable coordinator
 * fails them with {@code COORDINATOR_NOT_AVAILABLE}, which producers retry.
 */
public final class TransactionVerifier implements RemoteCoordinators, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionVerifier.class);
    private static final int REQUEST_TIMEOUT_MS = 30_000;

    private final int self;
    private final String listenerName;
    private final Supplier<MetadataImage> images;
    private final ExecutorService asker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "piste-txn-verifier");
        t.setDaemon(true);
        return t;
    });
    /** Made at the first verification, on the asking thread: a single node never opens one. */
    private InterBrokerClient client;

    public TransactionVerifier(int self, String listenerName, Supplier<MetadataImage> images) {
        this.self = self;
        this.listenerName = listenerName;
        this.images = images;
    }

    @Override
    public int remoteNodeOf(String transactionalId) {
        MetadataImage image = images.get();
        TopicImage topic = image.topic(TransactionStateTopic.NAME);
        if (topic == null || !Assignments.isCluster(image)) {
            return LOCAL;
        }
        int index = TransactionStateTopic.partitionFor(transactionalId, topic.partitionCount());
        PartitionImage state = Assignments.partition(image, topic, index, self);
        if (state == null || state.leader() == self) {
            return LOCAL;
        }
        return state.leader() < 0 ? UNAVAILABLE : state.leader();
    }

    @Override
    public void verify(
            int node,
            String transactionalId,
            long producerId,
            short producerEpoch,
            Set<TopicPartition> partitions,
            boolean add,
            Consumer<Map<TopicPartition, Errors>> done) {
        try {
            asker.execute(() -> done.accept(ask(node, transactionalId, producerId, producerEpoch, partitions, add)));
        } catch (RejectedExecutionException stopping) {
            done.accept(all(partitions, Errors.COORDINATOR_NOT_AVAILABLE));
        }
    }

    private Map<TopicPartition, Errors> ask(
            int node,
            String transactionalId,
            long producerId,
            short producerEpoch,
            Set<TopicPartition> partitions,
            boolean add) {
        Node coordinator = CoordinatorMarkers.broker(images.get(), node, listenerName);
        if (coordinator == null) {
            return all(partitions, Errors.COORDINATOR_NOT_AVAILABLE);
        }
        Map<String, AddPartitionsToTxnTopic> topics = new TreeMap<>();
        for (TopicPartition tp : partitions) {
            topics.computeIfAbsent(tp.topic(), name -> new AddPartitionsToTxnTopic().setName(name))
                    .partitions()
                    .add(tp.partition());
        }
        AddPartitionsToTxnTopicCollection topicCollection = new AddPartitionsToTxnTopicCollection();
        topics.values().forEach(topicCollection::add);
        AddPartitionsToTxnTransactionCollection transactions = new AddPartitionsToTxnTransactionCollection();
        transactions.add(new AddPartitionsToTxnTransaction()
                .setTransactionalId(transactionalId)
                .setProducerId(producerId)
                .setProducerEpoch(producerEpoch)
                .setVerifyOnly(!add)
                .setTopics(topicCollection));
        AddPartitionsToTxnResponse answer;
        try {
            if (client == null) {
                client = new InterBrokerClient(self, listenerName, REQUEST_TIMEOUT_MS);
            }
            answer = (AddPartitionsToTxnResponse)
                    client.send(coordinator, AddPartitionsToTxnRequest.Builder.forBroker(transactions));
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "Could not verify a transaction of producer {} with broker {}: {}", producerId, node, e.toString());
            return all(partitions, Errors.COORDINATOR_NOT_AVAILABLE);
        }
        Map<TopicPartition, Errors> errors = answer.errors().getOrDefault(transactionalId, Map.of());
        Map<TopicPartition, Errors> result = new HashMap<>();
        // A partition the answer leaves out is not known to be in the transaction.
        partitions.forEach(tp -> result.put(tp, errors.getOrDefault(tp, Errors.COORDINATOR_NOT_AVAILABLE)));
        return result;
    }

    private static Map<TopicPartition, Errors> all(Set<TopicPartition> partitions, Errors error) {
        Map<TopicPartition, Errors> result = new HashMap<>();
        partitions.forEach(tp -> result.put(tp, error));
        return result;
    }

    @Override
    public void close() {
        List<Runnable> dropped = asker.shutdownNow();
        if (!dropped.isEmpty()) {
            LOG.info("{} transaction verifications dropped at shutdown", dropped.size());
        }
        try {
            if (!asker.awaitTermination(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("The transaction verifier did not stop within {} ms", REQUEST_TIMEOUT_MS);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (client != null) {
            client.close();
        }
    }
}
