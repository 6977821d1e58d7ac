package io.piste.broker.handler;

import io.piste.broker.config.BrokerConfigStore;
import io.piste.broker.config.ConfigsHandler;
import io.piste.broker.config.TopicConfigStore;
import io.piste.broker.config.TopicConfigs;
import io.piste.broker.protocol.ApiVersionsTable;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * Routes each request to the handler of its API. The set of routes is also what ApiVersions advertises, so
 * the two cannot disagree.
 */
public final class RequestDispatcher implements RequestHandler, AutoCloseable {

    private final Map<ApiKeys, RequestHandler> handlers = new EnumMap<>(ApiKeys.class);
    private final ApiVersionsTable apiVersions;

    /** Where the requests that change the metadata run, off the event loops. */
    private final ControllerRequests controllerRequests = new ControllerRequests();

    public RequestDispatcher(BrokerContext broker) {
        ConfigsHandler configs =
                new ConfigsHandler(broker.config(), topicConfigStore(broker), brokerConfigStore(broker));
        handlers.put(ApiKeys.METADATA, new MetadataHandler(broker, controllerRequests));
        handlers.put(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, new DescribeTopicPartitionsHandler(broker));
        PartitionLookup partitions =
                new MetadataPartitionLookup(broker.controller(), broker.logManager(), broker.nodeId());
        handlers.put(
                ApiKeys.PRODUCE,
                new ProduceHandler(partitions, broker.transactionCoordinator(), broker.remoteCoordinators()));
        handlers.put(
                ApiKeys.FETCH,
                new FetchHandler(
                        partitions,
                        broker.fetchSessions(),
                        broker.fetchPurgatory(),
                        broker.isrExpansion(),
                        broker.leaderThrottle(),
                        PreferredReadReplicas.of(broker)));
        handlers.put(ApiKeys.LIST_OFFSETS, new ListOffsetsHandler(partitions));
        handlers.put(ApiKeys.OFFSET_FOR_LEADER_EPOCH, new OffsetForLeaderEpochHandler(partitions));
        handlers.put(ApiKeys.DESCRIBE_PRODUCERS, new DescribeProducersHandler(partitions));
        handlers.put(
                ApiKeys.DELETE_RECORDS,
                new DeleteRecordsHandler(partitions, broker.logManager().retention(), topic -> {
                    var image = broker.controller().image().topic(topic);
                    return image != null
                            && TopicConfigs.logConfig(broker.logManager().brokerConfigs(), image.configs())
                                    .cleanup()
                                    .delete();
                }));
        handlers.put(ApiKeys.CREATE_TOPICS, controllerRequests.offloaded(new CreateTopicsHandler(broker)));
        handlers.put(ApiKeys.DELETE_TOPICS, controllerRequests.offloaded(new DeleteTopicsHandler(broker)));
        handlers.put(ApiKeys.CREATE_PARTITIONS, controllerRequests.offloaded(new CreatePartitionsHandler(broker)));
        handlers.put(ApiKeys.ELECT_LEADERS, controllerRequests.offloaded(new ElectLeadersHandler(broker.controller())));
        handlers.put(
                ApiKeys.ALTER_PARTITION_REASSIGNMENTS,
                controllerRequests.offloaded(new AlterPartitionReassignmentsHandler(broker)));
        handlers.put(ApiKeys.LIST_PARTITION_REASSIGNMENTS, new ListPartitionReassignmentsHandler(broker));
        handlers.put(ApiKeys.DESCRIBE_CLUSTER, new DescribeClusterHandler(broker));
        // a cluster node asks the quorum's leader: off the event loop
        handlers.put(ApiKeys.DESCRIBE_QUORUM, controllerRequests.offloaded(new DescribeQuorumHandler(broker)));
        handlers.put(ApiKeys.DESCRIBE_LOG_DIRS, new DescribeLogDirsHandler(broker.logManager()));
        handlers.put(ApiKeys.INIT_PRODUCER_ID, controllerRequests.offloaded(new InitProducerIdHandler(broker)));
        TransactionHandlers transactions = new TransactionHandlers(broker);
        handlers.put(ApiKeys.ADD_PARTITIONS_TO_TXN, transactions::addPartitionsToTxn);
        handlers.put(ApiKeys.ADD_OFFSETS_TO_TXN, transactions::addOffsetsToTxn);
        handlers.put(ApiKeys.END_TXN, transactions::endTxn);
        handlers.put(ApiKeys.WRITE_TXN_MARKERS, new WriteTxnMarkersHandler(broker.markerWriter()));
        TransactionAdminHandlers transactionAdmin = new TransactionAdminHandlers(broker.transactionCoordinator());
        handlers.put(ApiKeys.DESCRIBE_TRANSACTIONS, transactionAdmin::describeTransactions);
        handlers.put(ApiKeys.LIST_TRANSACTIONS, transactionAdmin::listTransactions);
        handlers.put(
                ApiKeys.DESCRIBE_CONFIGS,
                ctx -> ctx.respond(configs.describe((DescribeConfigsRequestData) ctx.data(), ctx.apiVersion())));
        handlers.put(
                ApiKeys.ALTER_CONFIGS,
                controllerRequests.offloaded(ctx -> ctx.respond(configs.alter((AlterConfigsRequestData) ctx.data()))));
        handlers.put(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                controllerRequests.offloaded(
                        ctx -> ctx.respond(configs.incrementalAlter((IncrementalAlterConfigsRequestData) ctx.data()))));
        GroupRouter router = new GroupRouter(broker.groupCoordinator(), broker.consumerGroupCoordinator());
        Predicate<String> coordinates = groupId -> GroupAvailability.coordinates(broker, groupId);
        GroupHandlers groups = new GroupHandlers(broker, router, broker.groupOffsets(), coordinates);
        OffsetHandlers offsets = new OffsetHandlers(broker, router, broker.groupOffsets());
        handlers.put(
                ApiKeys.TXN_OFFSET_COMMIT,
                new TxnOffsetCommitHandler(broker, router, broker.groupOffsets(), new CoordinatorOffsetsGate(broker)));
        ConsumerGroupHandlers consumerGroups =
                new ConsumerGroupHandlers(broker.consumerGroupCoordinator(), coordinates);
        handlers.put(ApiKeys.FIND_COORDINATOR, controllerRequests.offloaded(groups::findCoordinator));
        handlers.put(
                ApiKeys.JOIN_GROUP,
                coordinated(broker, ctx -> ((JoinGroupRequestData) ctx.data()).groupId(), groups::joinGroup));
        handlers.put(
                ApiKeys.SYNC_GROUP,
                coordinated(broker, ctx -> ((SyncGroupRequestData) ctx.data()).groupId(), groups::syncGroup));
        handlers.put(
                ApiKeys.HEARTBEAT,
                coordinated(broker, ctx -> ((HeartbeatRequestData) ctx.data()).groupId(), groups::heartbeat));
        handlers.put(
                ApiKeys.LEAVE_GROUP,
                coordinated(broker, ctx -> ((LeaveGroupRequestData) ctx.data()).groupId(), groups::leaveGroup));
        handlers.put(ApiKeys.LIST_GROUPS, groups::listGroups);
        handlers.put(ApiKeys.DESCRIBE_GROUPS, groups::describeGroups);
        handlers.put(ApiKeys.DELETE_GROUPS, groups::deleteGroups);
        handlers.put(
                ApiKeys.OFFSET_COMMIT,
                coordinated(broker, ctx -> ((OffsetCommitRequestData) ctx.data()).groupId(), offsets::offsetCommit));
        handlers.put(ApiKeys.OFFSET_FETCH, offsets::offsetFetch);
        handlers.put(
                ApiKeys.OFFSET_DELETE,
                coordinated(broker, ctx -> ((OffsetDeleteRequestData) ctx.data()).groupId(), offsets::offsetDelete));
        handlers.put(
                ApiKeys.CONSUMER_GROUP_HEARTBEAT,
                coordinated(
                        broker,
                        ctx -> ((ConsumerGroupHeartbeatRequestData) ctx.data()).groupId(),
                        consumerGroups::heartbeat));
        handlers.put(ApiKeys.CONSUMER_GROUP_DESCRIBE, consumerGroups::describe);
        handlers.put(ApiKeys.API_VERSIONS, null);
        this.apiVersions = new ApiVersionsTable(handlers.keySet());
        handlers.put(
                ApiKeys.API_VERSIONS,
                new ApiVersionsHandler(
                        apiVersions, broker.transactionCoordinator().config().transactionVersion()));
    }

    /**
     * A request about one group, answered {@code NOT_COORDINATOR} by a node of a cluster that does not lead the
     * group's offsets partition (the client finds its coordinator again), {@code COORDINATOR_LOAD_IN_PROGRESS} while
     * it loads that partition's groups, else handled by {@code handler}.
     */
    private static RequestHandler coordinated(
            BrokerContext broker, Function<RequestContext, String> groupIdOf, RequestHandler handler) {
        return context -> {
            Errors routing = GroupAvailability.routing(broker, groupIdOf.apply(context));
            if (routing == Errors.NONE) {
                handler.handle(context);
            } else {
                context.respondWithError(routing.exception());
            }
        };
    }

    private static TopicConfigStore topicConfigStore(BrokerContext broker) {
        return new TopicConfigStore() {
            @Override
            public boolean topicExists(String topic) {
                return broker.controller().image().topic(topic) != null;
            }

            @Override
            public Map<String, String> topicOverrides(String topic) {
                var image = broker.controller().image().topic(topic);
                return image == null ? Map.of() : image.configs();
            }

            @Override
            public void replaceTopicOverrides(String topic, Map<String, String> overrides) throws IOException {
                broker.controller().replaceTopicConfigs(topic, overrides);
            }
        };
    }

    private static BrokerConfigStore brokerConfigStore(BrokerContext broker) {
        return new BrokerConfigStore() {
            @Override
            public Map<String, String> brokerConfigs(String scope) {
                return broker.controller().image().brokerConfigs(scope);
            }

            @Override
            public void replaceBrokerConfigs(String scope, Map<String, String> configs) throws IOException {
                broker.controller().replaceBrokerConfigs(scope, configs);
            }
        };
    }

    public ApiVersionsTable apiVersions() {
        return apiVersions;
    }

    /** Once the listener has stopped. */
    @Override
    public void close() {
        controllerRequests.close();
    }

    @Override
    public void handle(RequestContext context) {
        handlers.get(context.apiKey()).handle(context);
    }
}
