package io.piste.broker.metadata;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * {@code meta.properties} in each log dir, as Kafka writes it: format version, cluster id and node id. A log
 * dir that belongs to another node or cluster is refused at start-up rather than mixed in.
 */
public final class MetaProperties {

    static final String FILE_NAME = "meta.properties";

    private MetaProperties() {}

    /** Returns the cluster id shared by the dirs, writing meta.properties where it is missing. */
    public static String loadOrCreate(List<Path> logDirs, int nodeId) throws IOException {
        return loadOrCreate(logDirs, nodeId, null);
    }

    /**
     * As {@link #loadOrCreate(List, int)}; a {@code required} cluster id (a cluster's, null for none) is written where
     * meta.properties is missing, and a log dir of another cluster is refused.
     */
    public static String loadOrCreate(List<Path> logDirs, int nodeId, String required) throws IOException {
        String clusterId = required;
        for (Path dir : logDirs) {
            Path file = dir.resolve(FILE_NAME);
            if (!Files.exists(file)) {
                continue;
            }
            Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                props.load(reader);
            }
            String dirNode = props.getProperty("node.id");
            if (dirNode != null && Integer.parseInt(dirNode.trim()) != nodeId) {
                throw new IOException("Log dir " + dir + " belongs to node.id " + dirNode + ", not " + nodeId);
            }
            String dirCluster = props.getProperty("cluster.id");
            if (clusterId != null && dirCluster != null && !clusterId.equals(dirCluster)) {
                throw new IOException("Log dir " + dir + " belongs to cluster " + dirCluster + ", not " + clusterId);
            }
            clusterId = dirCluster != null ? dirCluster : clusterId;
        }
        if (clusterId == null) {
            clusterId = Uuid.randomUuid().toString();
        }
        for (Path dir : logDirs) {
            Files.createDirectories(dir);
            Path file = dir.resolve(FILE_NAME);
            if (Files.exists(file)) {
                continue;
            }
            Properties props = new Properties();
            props.setProperty("version", "1");
            props.setProperty("cluster.id", clusterId);
            props.setProperty("node.id", Integer.toString(nodeId));
            Path tmp = dir.resolve(FILE_NAME + ".tmp");
            try (Writer writer = Files.newBufferedWriter(tmp)) {
                props.store(writer, "Written by Piste");
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return clusterId;
    }
}
