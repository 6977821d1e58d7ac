package io.piste.broker.handler;

import io.piste.broker.protocol.RequestContext;
import io.piste.broker.txn.TransactionCoordinator;
import io.piste.broker.txn.TransactionState;
import io.piste.broker.txn.TransactionView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TopicData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.Errors;

/** DescribeTransactions and ListTransactions (Kafka's admin views of the coordinator, used by kafka-transactions). */
final class TransactionAdminHandlers {

    private final TransactionCoordinator coordinator;

    TransactionAdminHandlers(TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    void describeTransactions(RequestContext context) {
        DescribeTransactionsRequestData request = context.data();
        DescribeTransactionsResponseData response = new DescribeTransactionsResponseData();
        Set<String> wanted = new HashSet<>(request.transactionalIds());
        Map<String, TransactionView> views = new HashMap<>();
        if (coordinator.isLoaded()) {
            coordinator.views(wanted::contains).forEach(view -> views.put(view.transactionalId(), view));
        }
        List<DescribeTransactionsResponseData.TransactionState> states = new ArrayList<>();
        Set<String> answered = new HashSet<>();
        for (String transactionalId : request.transactionalIds()) {
            if (!answered.add(transactionalId)) {
                continue;
            }
            var state = new DescribeTransactionsResponseData.TransactionState().setTransactionalId(transactionalId);
            TransactionView view = views.get(transactionalId);
            Errors coordination = coordinator.coordination(transactionalId);
            if (coordination != Errors.NONE) {
                // NOT_COORDINATOR in a cluster when another node leads the id's partition: the admin client asks it
                state.setErrorCode(coordination.code());
            } else if (view == null) {
                state.setErrorCode(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());
            } else {
                state.setTransactionState(view.state().kafkaName())
                        .setTransactionTimeoutMs(view.timeoutMs())
                        .setTransactionStartTimeMs(view.startMs())
                        .setProducerId(view.producerId())
                        .setProducerEpoch(view.producerEpoch());
                Map<String, List<Integer>> byTopic = new TreeMap<>();
                for (TopicPartition tp : view.partitions()) {
                    byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
                }
                byTopic.forEach((topic, partitions) ->
                        state.topics().add(new TopicData().setTopic(topic).setPartitions(partitions)));
            }
            states.add(state);
        }
        context.respond(response.setTransactionStates(states));
    }

    void listTransactions(RequestContext context) {
        ListTransactionsRequestData request = context.data();
        ListTransactionsResponseData response = new ListTransactionsResponseData();
        if (!coordinator.isLoaded()) {
            context.respond(response.setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code()));
            return;
        }
        Set<TransactionState> states = new HashSet<>();
        for (String name : request.stateFilters()) {
            TransactionState state = TransactionState.fromKafkaName(name);
            if (state == null) {
                response.unknownStateFilters().add(name);
            } else {
                states.add(state);
            }
        }
        Pattern idPattern;
        try {
            idPattern = request.transactionalIdPattern() == null
                            || request.transactionalIdPattern().isEmpty()
                    ? null
                    : Pattern.compile(request.transactionalIdPattern());
        } catch (PatternSyntaxException e) {
            context.respond(response.setErrorCode(Errors.INVALID_REGULAR_EXPRESSION.code()));
            return;
        }
        Set<Long> producerIds = new HashSet<>(request.producerIdFilters());
        boolean stateFiltered = !request.stateFilters().isEmpty();
        long now = System.currentTimeMillis();
        for (TransactionView view : coordinator.views(
                id -> idPattern == null || idPattern.matcher(id).matches())) {
            if (stateFiltered && !states.contains(view.state())) {
                continue;
            }
            if (!producerIds.isEmpty() && !producerIds.contains(view.producerId())) {
                continue;
            }
            // DurationFilter (v1+): only transactions running for longer than it
            if (request.durationFilter() >= 0 && now - view.startMs() <= request.durationFilter()) {
                continue;
            }
            response.transactionStates()
                    .add(new ListTransactionsResponseData.TransactionState()
                            .setTransactionalId(view.transactionalId())
                            .setProducerId(view.producerId())
                            .setTransactionState(view.state().kafkaName()));
        }
        context.respond(response);
    }
}
