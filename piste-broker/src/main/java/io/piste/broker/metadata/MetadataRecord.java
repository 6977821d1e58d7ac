package io.piste.broker.metadata;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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

    static MetadataRecord decode(String line) {
        String[] f = line.split(" ", -1);
        switch (f[0]) {
            case "TOPIC":
                return new Topic(f[1], Uuid.fromString(f[2]), Integer.parseInt(f[3]));
            case "REMOVE_TOPIC":
                return new RemoveTopic(Uuid.fromString(f[1]));
            case "PARTITIONS":
                return new PartitionCount(Uuid.fromString(f[1]), Integer.parseInt(f[2]));
            case "CONFIG":
                return new TopicConfig(Uuid.fromString(f[1]), decodeConfigs(f[2]));
            case "PRODUCER_IDS":
                return new ProducerIds(Long.parseLong(f[1]));
            case "BROKER_CONFIG":
                return new BrokerConfigs(f[1], decodeConfigs(f[2]));
            default:
                throw new IllegalArgumentException("unknown metadata record type " + f[0]);
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

    private static Map<String, String> decodeConfigs(String text) {
        Map<String, String> configs = new LinkedHashMap<>();
        if (!text.isEmpty()) {
            for (String pair : text.split(",")) {
                int eq = pair.indexOf('=');
                configs.put(urlDecode(pair.substring(0, eq)), urlDecode(pair.substring(eq + 1)));
            }
        }
        return configs;
    }

    private static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String urlDecode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
