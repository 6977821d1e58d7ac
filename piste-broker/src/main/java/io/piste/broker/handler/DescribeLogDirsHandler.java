package io.piste.broker.handler;

import io.piste.broker.partition.LogDirUsage;
import io.piste.broker.partition.LogManager;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeLogDirs (what {@code kafka-log-dirs} and {@code Admin.describeLogDirs} ask): every log dir of the broker
 * with the size of each partition in it, and the total and usable bytes of its file system (v4+), as Kafka's
 * {@code ReplicaManager.describeLogDirs} answers. A single node leads every partition, so the offset lag (high
 * watermark behind the log end) is 0, and there are no future logs. An offline log dir answers
 * KAFKA_STORAGE_ERROR with no topic. Topics not asked for, and topics with no partition in a dir, are left out.
 */
final class DescribeLogDirsHandler implements RequestHandler {

    private final LogManager logManager;

    DescribeLogDirsHandler(LogManager logManager) {
        this.logManager = logManager;
    }

    @Override
    public void handle(RequestContext context) {
        DescribeLogDirsRequestData request = context.data();
        Map<String, Set<Integer>> wanted = wanted(request);
        DescribeLogDirsResponseData response = new DescribeLogDirsResponseData();
        for (LogDirUsage.Dir dir : logManager.describeLogDirs()) {
            response.results().add(result(dir, wanted));
        }
        context.respond(response);
    }

    /** The partitions asked for by topic, or null for all (a null topic list). */
    private static Map<String, Set<Integer>> wanted(DescribeLogDirsRequestData request) {
        if (request.topics() == null) {
            return null;
        }
        Map<String, Set<Integer>> wanted = new HashMap<>();
        for (DescribableLogDirTopic topic : request.topics()) {
            wanted.computeIfAbsent(topic.topic(), t -> new HashSet<>()).addAll(topic.partitions());
        }
        return wanted;
    }

    private static DescribeLogDirsResult result(LogDirUsage.Dir dir, Map<String, Set<Integer>> wanted) {
        DescribeLogDirsResult result = new DescribeLogDirsResult()
                .setLogDir(dir.path().toAbsolutePath().toString());
        if (dir.offline()) {
            return result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
        }
        try {
            FileStore store = Files.getFileStore(dir.path());
            result.setTotalBytes(largeFileSystem(store.getTotalSpace()))
                    .setUsableBytes(largeFileSystem(store.getUsableSpace()));
        } catch (IOException e) {
            // Kafka takes such a dir offline; here it only cannot say its file system's size.
            return result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
        }
        Map<String, DescribeLogDirsTopic> topics = new TreeMap<>();
        for (LogDirUsage.Replica replica : dir.replicas()) {
            Set<Integer> partitions = wanted == null ? null : wanted.get(replica.topic());
            if (wanted != null && (partitions == null || !partitions.contains(replica.partition()))) {
                continue;
            }
            topics.computeIfAbsent(replica.topic(), t -> new DescribeLogDirsTopic().setName(t))
                    .partitions()
                    .add(new DescribeLogDirsPartition()
                            .setPartitionIndex(replica.partition())
                            .setPartitionSize(replica.sizeBytes())
                            .setOffsetLag(0)
                            .setIsFutureKey(false));
        }
        result.topics().addAll(topics.values());
        return result;
    }

    /** As Kafka: a file system larger than Long.MAX_VALUE bytes reports a negative size, shown as the maximum. */
    private static long largeFileSystem(long bytes) {
        return bytes < 0 ? Long.MAX_VALUE : bytes;
    }
}
