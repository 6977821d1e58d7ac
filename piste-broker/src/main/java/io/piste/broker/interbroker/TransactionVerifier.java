package io.piste.broker.interbroker;

import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.txn.RemoteCoordinators;
import io.piste.broker.txn.TransactionStateTopic;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
 * Kafka's AddPartitionsToTxn in its broker form, verify-only, or adding the partitions (protocol v2). One thread per
 * coordinator's node ({@link RequestThreads}), so a producer's requests are verified, and then appended, in the
 * order they came, and a node that does not answer delays only the transactions it coordinates; an unreachable
 * coordinator fails them with {@code COORDINATOR_NOT_AVAILABLE}, which producers retry.
 */
public final class TransactionVerifier implements RemoteCoordinators, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionVerifier.class);

    private final int self;
    private final String listenerName;
    private final Supplier<MetadataImage> images;
    private final RequestThreads askers;

    public TransactionVerifier(int self, String listenerName, Supplier<MetadataImage> images) {
        this.self = self;
        this.listenerName = listenerName;
        this.images = images;
        this.askers = new RequestThreads(self, listenerName, "piste-txn-verifier");
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
        RequestThread asker = askers.to(node);
        asker.execute(
                () -> done.accept(ask(asker, node, transactionalId, producerId, producerEpoch, partitions, add)),
                () -> done.accept(RequestThread.all(partitions, Errors.COORDINATOR_NOT_AVAILABLE)));
    }

    private Map<TopicPartition, Errors> ask(
            RequestThread asker,
            int node,
            String transactionalId,
            long producerId,
            short producerEpoch,
            Set<TopicPartition> partitions,
            boolean add) {
        Node coordinator = CoordinatorMarkers.broker(images.get(), node, listenerName);
        if (coordinator == null) {
            return RequestThread.all(partitions, Errors.COORDINATOR_NOT_AVAILABLE);
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
            answer = (AddPartitionsToTxnResponse)
                    asker.send(coordinator, AddPartitionsToTxnRequest.Builder.forBroker(transactions));
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "Could not verify a transaction of producer {} with broker {}: {}", producerId, node, e.toString());
            return RequestThread.all(partitions, Errors.COORDINATOR_NOT_AVAILABLE);
        }
        Map<TopicPartition, Errors> errors = answer.errors().getOrDefault(transactionalId, Map.of());
        Map<TopicPartition, Errors> result = new HashMap<>();
        // A partition the answer leaves out is not known to be in the transaction.
        partitions.forEach(tp -> result.put(tp, errors.getOrDefault(tp, Errors.COORDINATOR_NOT_AVAILABLE)));
        return result;
    }

    @Override
    public void close() {
        askers.close();
    }
}
