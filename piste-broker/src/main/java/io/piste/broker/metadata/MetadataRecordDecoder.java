package io.piste.broker.metadata;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;

/**
 * Reads a {@link MetadataRecord} back from its text form, strictly: a field too many or too few, a partition count
 * outside {@code 1..}{@link Controller#MAX_PARTITIONS} or a topic name Kafka would refuse (it becomes a
 * directory name, and one such as {@code ../x} would leave the log dir) is refused, never guessed at. Stateless.
 */
final class MetadataRecordDecoder {

    /** The version of each record type this broker reads, unless {@link #LATEST_VERSIONS} names another. */
    static final int VERSION = 0;

    /** The record types this broker reads in more versions than {@link #VERSION}: each up to the one given. */
    private static final Map<String, Integer> LATEST_VERSIONS = Map.of("PARTITION", 1);

    private MetadataRecordDecoder() {}

    /**
     * @throws UnsupportedMetadataRecordException for a type or version this broker does not know
     * @throws IllegalArgumentException for a record of a known type and version that does not parse
     */
    static MetadataRecord decode(String line) {
        String[] f = line.split(" ", -1);
        String type = typeOf(f[0]);
        if (type.equals("PARTITION") && f[0].endsWith(":1")) {
            return partitionState(f, 11);
        }
        switch (type) {
            case "TOPIC":
                expectFields(f, 4);
                return new MetadataRecord.Topic(topicName(f[1]), Uuid.fromString(f[2]), partitionCount(f[3]));
            case "REMOVE_TOPIC":
                expectFields(f, 2);
                return new MetadataRecord.RemoveTopic(Uuid.fromString(f[1]));
            case "PARTITIONS":
                expectFields(f, 3);
                return new MetadataRecord.PartitionCount(Uuid.fromString(f[1]), partitionCount(f[2]));
            case "CONFIG":
                expectFields(f, 3);
                return new MetadataRecord.TopicConfig(Uuid.fromString(f[1]), decodeConfigs(f[2]));
            case "PRODUCER_IDS":
                expectFields(f, 2);
                return new MetadataRecord.ProducerIds(producerIdBlockEnd(f[1]));
            case "BROKER_CONFIG":
                expectFields(f, 3);
                return new MetadataRecord.BrokerConfigs(f[1], decodeConfigs(f[2]));
            case "BROKER":
                expectFields(f, 6);
                return new MetadataRecord.BrokerRegistration(
                        nonNegativeInt(f[1]),
                        Long.parseLong(f[2]),
                        Uuid.fromString(f[3]),
                        urlDecode(f[4]),
                        endpoints(f[5]));
            case "FENCE":
            case "UNFENCE":
                expectFields(f, 3);
                return new MetadataRecord.BrokerFencing(
                        nonNegativeInt(f[1]), Long.parseLong(f[2]), type.equals("FENCE"));
            case "ASSIGN":
                expectFields(f, 4);
                return new MetadataRecord.Assignment(Uuid.fromString(f[1]), partitionIndex(f[2]), assignments(f[3]));
            case "PARTITION":
                return partitionState(f, 9);
            default:
                throw new UnsupportedMetadataRecordException("unknown record type " + type);
        }
    }

    /**
     * A partition's state: version 0 ({@code fields} 9) without a reassignment, version 1 (11) with the replicas a
     * reassignment adds and removes; these must be among the replicas and apart (a reassignment both adding and
     * removing one replica means nothing).
     */
    private static MetadataRecord.PartitionState partitionState(String[] f, int fields) {
        expectFields(f, fields);
        List<Integer> replicas = ids(f[6]);
        List<Integer> adding = fields > 9 ? ids(f[9]) : List.of();
        List<Integer> removing = fields > 9 ? ids(f[10]) : List.of();
        if (!replicas.containsAll(adding)
                || !replicas.containsAll(removing)
                || adding.stream().anyMatch(removing::contains)) {
            throw new IllegalArgumentException(
                    "adding " + adding + " and removing " + removing + " replicas do not fit replicas " + replicas);
        }
        return new MetadataRecord.PartitionState(
                Uuid.fromString(f[1]),
                partitionIndex(f[2]),
                new PartitionImage(
                        replicas,
                        leader(f[3]),
                        nonNegativeInt(f[4]),
                        nonNegativeInt(f[5]),
                        ids(f[7]),
                        ids(f[8]),
                        adding,
                        removing));
    }

    /** The type of {@code word}, {@code TYPE} or {@code TYPE:version}, if this broker reads that version. */
    private static String typeOf(String word) {
        int colon = word.indexOf(':');
        if (colon < 0) {
            return word;
        }
        String type = word.substring(0, colon);
        String version = word.substring(colon + 1);
        int latest = LATEST_VERSIONS.getOrDefault(type, VERSION);
        boolean known = false;
        for (int v = VERSION; v <= latest; v++) {
            known |= version.equals(Integer.toString(v));
        }
        if (!known) {
            throw new UnsupportedMetadataRecordException("record type " + type + " version " + version
                    + " (this broker reads versions " + VERSION + ".." + latest + ")");
        }
        return type;
    }

    private static void expectFields(String[] fields, int count) {
        if (fields.length != count) {
            throw new IllegalArgumentException(
                    fields[0] + " record with " + (fields.length - 1) + " fields, not " + (count - 1));
        }
    }

    private static String topicName(String name) {
        Topic.validate(name);
        return name;
    }

    private static int partitionCount(String text) {
        int count = Integer.parseInt(text);
        if (count <= 0 || count > Controller.MAX_PARTITIONS) {
            throw new IllegalArgumentException("partition count " + count + " outside 1.." + Controller.MAX_PARTITIONS);
        }
        return count;
    }

    private static long producerIdBlockEnd(String text) {
        long blockEnd = Long.parseLong(text);
        if (blockEnd < 0) {
            throw new IllegalArgumentException("negative producer id block end " + blockEnd);
        }
        return blockEnd;
    }

    /** The most endpoints one broker registers: one per listener, and no broker runs this many. */
    static final int MAX_ENDPOINTS = 64;

    private static List<BrokerEndpoint> endpoints(String text) {
        List<BrokerEndpoint> endpoints = new ArrayList<>();
        if (text.isEmpty()) {
            return endpoints;
        }
        String[] entries = text.split(";", -1);
        if (entries.length > MAX_ENDPOINTS) {
            throw new IllegalArgumentException(entries.length + " endpoints, at most " + MAX_ENDPOINTS);
        }
        for (String entry : entries) {
            String[] e = entry.split(",", -1);
            if (e.length != 4) {
                throw new IllegalArgumentException("endpoint '" + entry + "' is not listener,protocol,host,port");
            }
            endpoints.add(
                    new BrokerEndpoint(urlDecode(e[0]), urlDecode(e[1]), urlDecode(e[2]), Integer.parseInt(e[3])));
        }
        return endpoints;
    }

    /** The most replicas one partition may have. */
    static final int MAX_REPLICAS = 64;

    private static List<List<Integer>> assignments(String text) {
        String[] partitions = text.split(";", -1);
        if (partitions.length > Controller.MAX_PARTITIONS) {
            throw new IllegalArgumentException(partitions.length + " partitions, at most " + Controller.MAX_PARTITIONS);
        }
        List<List<Integer>> replicas = new ArrayList<>(partitions.length);
        for (String partition : partitions) {
            List<Integer> ids = ids(partition);
            if (ids.isEmpty()) {
                throw new IllegalArgumentException("a partition without replicas");
            }
            replicas.add(ids);
        }
        return replicas;
    }

    /** Node ids, comma-separated, none if empty; at most {@link #MAX_REPLICAS}. */
    private static List<Integer> ids(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        String[] parts = text.split(",", -1);
        if (parts.length > MAX_REPLICAS) {
            throw new IllegalArgumentException(parts.length + " replicas, at most " + MAX_REPLICAS);
        }
        List<Integer> ids = new ArrayList<>(parts.length);
        for (String part : parts) {
            ids.add(nonNegativeInt(part));
        }
        return ids;
    }

    private static int partitionIndex(String text) {
        int index = nonNegativeInt(text);
        if (index >= Controller.MAX_PARTITIONS) {
            throw new IllegalArgumentException("partition " + index + " at or above " + Controller.MAX_PARTITIONS);
        }
        return index;
    }

    private static int leader(String text) {
        int leader = Integer.parseInt(text);
        if (leader < -1) {
            throw new IllegalArgumentException("leader " + leader);
        }
        return leader;
    }

    private static int nonNegativeInt(String text) {
        int value = Integer.parseInt(text);
        if (value < 0) {
            throw new IllegalArgumentException("negative id " + value);
        }
        return value;
    }

    private static Map<String, String> decodeConfigs(String text) {
        Map<String, String> configs = new LinkedHashMap<>();
        if (!text.isEmpty()) {
            for (String pair : text.split(",", -1)) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("config without a name: " + pair);
                }
                configs.put(urlDecode(pair.substring(0, eq)), urlDecode(pair.substring(eq + 1)));
            }
        }
        return configs;
    }

    private static String urlDecode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
