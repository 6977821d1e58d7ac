package io.piste.broker.metadata;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * The changes the metadata log records, and their one-line text form.
 *
 * <pre>
 * TOPIC        name topicId partitionCount
 * REMOVE_TOPIC topicId
 * PARTITIONS   topicId partitionCount
 * CONFIG        topicId key=value,key=value    (the full set of overrides; keys and values URL-encoded)
 * PRODUCER_IDS  blockEnd
 * BROKER_CONFIG scope key=value,key=value      (the full set of dynamic broker configs of the scope: "default"
 *                                                for the cluster-wide defaults, else a node id; URL-encoded)
 * BROKER        nodeId epoch incarnation rack listener,protocol,host,port;...   (a registration, fenced; fields
 *                                                URL-encoded, the rack empty for none)
 * FENCE         nodeId epoch                    (the broker of that epoch stops serving)
 * UNFENCE       nodeId epoch                    (the broker of that epoch serves)
 * ASSIGN        topicId first 1,2,3;2,3,1;...   (the replicas of partitions first.., each in its initial state)
 * PARTITION     topicId partition leader leaderEpoch partitionEpoch replicas isr elr   (one partition's whole
 *                                                state after a change; lists comma-separated, empty for none)
 * PARTITION:1   ... as PARTITION ... adding removing   (the same while a reassignment moves the partition: the
 *                                                replicas it adds and removes; written only then, so a log without
 *                                                reassignments stays readable by a broker that knows version 0)
 * </pre>
 *
 * <p>Versions: the type word names the version, {@code TOPIC} being version 0 and {@code TOPIC:1} version 1. A
 * record whose fields change gets a new version rather than an extra field, so that an older broker reading the log
 * after a downgrade meets a version it does not know and refuses to start ({@link MetadataRecordDecoder}), as Kafka
 * does on an unknown metadata record version, instead of misreading it.
 */
public sealed interface MetadataRecord {

    String encode();

    record Topic(String name, Uuid topicId, int partitionCount) implements MetadataRecord {
        @Override
        public String encode() {
            return "TOPIC " + name + " " + topicId + " " + partitionCount;
        }
    }

    record RemoveTopic(Uuid topicId) implements MetadataRecord {
        @Override
        public String encode() {
            return "REMOVE_TOPIC " + topicId;
        }
    }

    record PartitionCount(Uuid topicId, int partitionCount) implements MetadataRecord {
        @Override
        public String encode() {
            return "PARTITIONS " + topicId + " " + partitionCount;
        }
    }

    record TopicConfig(Uuid topicId, Map<String, String> configs) implements MetadataRecord {
        @Override
        public String encode() {
            return "CONFIG " + topicId + " " + encodeConfigs(configs);
        }
    }

    /** Replaces all dynamic broker configs of {@code scope}: {@link MetadataImage#CLUSTER_DEFAULT} or a node id. */
    record BrokerConfigs(String scope, Map<String, String> configs) implements MetadataRecord {
        public BrokerConfigs {
            if (!MetadataImage.isBrokerScope(scope)) {
                throw new IllegalArgumentException("broker config scope must be \"" + MetadataImage.CLUSTER_DEFAULT
                        + "\" or a node id, got " + scope);
            }
        }

        @Override
        public String encode() {
            return "BROKER_CONFIG " + scope + " " + encodeConfigs(configs);
        }
    }

    record ProducerIds(long blockEnd) implements MetadataRecord {
        @Override
        public String encode() {
            return "PRODUCER_IDS " + blockEnd;
        }
    }

    /** A broker's registration, fenced until an {@link BrokerFencing} unfences it. */
    record BrokerRegistration(int nodeId, long epoch, Uuid incarnation, String rack, List<BrokerEndpoint> endpoints)
            implements MetadataRecord {
        public BrokerRegistration {
            if (nodeId < 0 || epoch < 1) {
                throw new IllegalArgumentException("broker " + nodeId + " epoch " + epoch + ": both must be positive");
            }
            endpoints = List.copyOf(endpoints);
        }

        @Override
        public String encode() {
            StringBuilder text = new StringBuilder("BROKER ")
                    .append(nodeId)
                    .append(' ')
                    .append(epoch)
                    .append(' ')
                    .append(incarnation)
                    .append(' ')
                    .append(urlEncode(rack))
                    .append(' ');
            String separator = "";
            for (BrokerEndpoint e : endpoints) {
                text.append(separator)
                        .append(urlEncode(e.listener()))
                        .append(',')
                        .append(urlEncode(e.securityProtocol()))
                        .append(',')
                        .append(urlEncode(e.host()))
                        .append(',')
                        .append(e.port());
                separator = ";";
            }
            return text.toString();
        }
    }

    /** Fences ({@code fenced}) or unfences the broker registered with {@code epoch}. */
    record BrokerFencing(int nodeId, long epoch, boolean fenced) implements MetadataRecord {
        @Override
        public String encode() {
            return (fenced ? "FENCE " : "UNFENCE ") + nodeId + " " + epoch;
        }
    }

    /** The replicas of partitions {@code firstPartition} onwards of a topic, each in its initial state. */
    record Assignment(Uuid topicId, int firstPartition, List<List<Integer>> replicas) implements MetadataRecord {
        public Assignment {
            replicas = replicas.stream().map(List::copyOf).toList();
        }

        @Override
        public String encode() {
            StringBuilder text = new StringBuilder("ASSIGN ")
                    .append(topicId)
                    .append(' ')
                    .append(firstPartition)
                    .append(' ');
            String separator = "";
            for (List<Integer> partition : replicas) {
                text.append(separator).append(ids(partition));
                separator = ";";
            }
            return text.toString();
        }
    }

    /** One partition's whole state after a change (Kafka's PartitionChangeRecord, its result written out). */
    record PartitionState(Uuid topicId, int partition, PartitionImage state) implements MetadataRecord {
        @Override
        public String encode() {
            String common = topicId + " " + partition + " " + state.leader() + " " + state.leaderEpoch() + " "
                    + state.partitionEpoch() + " " + ids(state.replicas()) + " " + ids(state.isr()) + " "
                    + ids(state.elr());
            if (!state.isReassigning()) {
                return "PARTITION " + common;
            }
            return "PARTITION:1 " + common + " " + ids(state.addingReplicas()) + " " + ids(state.removingReplicas());
        }
    }

    private static String ids(List<Integer> ids) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < ids.size(); i++) {
            text.append(i == 0 ? "" : ",").append(ids.get(i));
        }
        return text.toString();
    }

    private static String encodeConfigs(Map<String, String> configs) {
        StringBuilder text = new StringBuilder();
        String separator = "";
        for (Map.Entry<String, String> e : configs.entrySet()) {
            text.append(separator).append(urlEncode(e.getKey())).append('=').append(urlEncode(e.getValue()));
            separator = ",";
        }
        return text.toString();
    }

    private static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
