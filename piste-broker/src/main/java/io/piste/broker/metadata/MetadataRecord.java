package io.piste.broker.metadata;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
