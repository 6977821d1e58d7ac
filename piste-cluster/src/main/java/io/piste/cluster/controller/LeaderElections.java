package io.piste.cluster.controller;

import io.piste.broker.metadata.LeaderElectionRequests;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.MetadataRecordCodec;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.cluster.quorum.MetadataQuorum;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidUpdateVersionException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out requested elections ({@link RequestedElection}) through the quorum: decides each partition against
 * the newest image, proposes the new states together (a change holds at most {@link
 * MetadataRecordCodec#MAX_CHANGE_RECORDS} records), and answers once they are committed. A change is applied whole
 * or not at all, so when one is refused (a partition's ISR changed meanwhile, say) each of its partitions is elected
 * again alone: one partition's failure never fails the others. Thread-safe (stateless but for the quorum).
 */
final class LeaderElections {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElections.class);

    /** A partition elected alone is decided again this often when its state moved under the election. */
    private static final int ATTEMPTS = 3;

    private final MetadataQuorum quorum;

    LeaderElections(MetadataQuorum quorum) {
        this.quorum = quorum;
    }

    /**
     * Each partition's outcome ({@link ApiError#NONE}: its new leader is committed), in the order asked;
     * {@code REQUEST_TIMED_OUT} for the partitions whose change could not be proposed within {@code timeoutMs} (a
     * change proposed in time may take up to the quorum's own timeout to commit).
     */
    Map<TopicPartition, ApiError> elect(ElectionType type, Set<TopicPartition> named, long timeoutMs)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMs));
        MetadataImage image = quorum.latestImage();
        Map<TopicPartition, ApiError> results = new LinkedHashMap<>();
        Map<TopicPartition, MetadataRecord> pending = new LinkedHashMap<>();
        for (TopicPartition partition : LeaderElectionRequests.partitions(image, named)) {
            RequestedElection election = decide(type, partition, image);
            results.put(partition, election.error());
            if (election.next() != null) {
                pending.put(partition, record(image, partition, election.next()));
            }
        }
        List<TopicPartition> batch = new ArrayList<>();
        for (TopicPartition partition : pending.keySet()) {
            batch.add(partition);
            if (batch.size() == MetadataRecordCodec.MAX_CHANGE_RECORDS) {
                propose(type, batch, pending, results, deadline);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            propose(type, batch, pending, results, deadline);
        }
        return results;
    }

    private void propose(
            ElectionType type,
            List<TopicPartition> batch,
            Map<TopicPartition, MetadataRecord> pending,
            Map<TopicPartition, ApiError> results,
            long deadline)
            throws InterruptedException {
        if (System.nanoTime() - deadline >= 0) {
            ApiError late = new ApiError(Errors.REQUEST_TIMED_OUT, "the request's timeout passed before this election");
            batch.forEach(partition -> results.put(partition, late));
            return;
        }
        try {
            quorum.propose(batch.stream().map(pending::get).toList());
            LOG.info("Elected the {} leaders of {}", type, batch);
        } catch (TimeoutException | IOException quorumUnavailable) {
            // Not retried alone: each would wait as long again.
            ApiError failed = new ApiError(Errors.REQUEST_TIMED_OUT, quorumUnavailable.getMessage());
            batch.forEach(partition -> results.put(partition, failed));
        } catch (ApiException refused) {
            LOG.info(
                    "{} elections of {} partitions refused together ({}); each is elected alone",
                    type,
                    batch.size(),
                    refused.toString());
            for (TopicPartition partition : batch) {
                results.put(partition, electAlone(type, partition, deadline));
            }
        }
    }

    private ApiError electAlone(ElectionType type, TopicPartition partition, long deadline)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            if (System.nanoTime() - deadline >= 0) {
                return new ApiError(Errors.REQUEST_TIMED_OUT, "the request's timeout passed before this election");
            }
            try {
                MetadataImage image = quorum.latestImage();
                RequestedElection election = decide(type, partition, image);
                if (election.next() == null) {
                    return election.error();
                }
                quorum.propose(List.of(record(image, partition, election.next())));
                LOG.info(
                        "Elected the {} leader of {}: {}",
                        type,
                        partition,
                        election.next().leader());
                return ApiError.NONE;
            } catch (InvalidUpdateVersionException movedMeanwhile) {
                if (attempt == ATTEMPTS) {
                    return ApiError.fromThrowable(movedMeanwhile);
                }
            } catch (TimeoutException | IOException e) {
                return new ApiError(Errors.REQUEST_TIMED_OUT, e.getMessage());
            } catch (ApiException e) {
                return ApiError.fromThrowable(e);
            }
        }
    }

    private static RequestedElection decide(ElectionType type, TopicPartition partition, MetadataImage image) {
        if (!LeaderElectionRequests.exists(image, partition)) {
            return new RequestedElection(null, LeaderElectionRequests.unknown(partition));
        }
        TopicImage topic = image.topic(partition.topic());
        List<PartitionImage> states = image.partitions(topic.topicId());
        if (partition.partition() >= states.size()) {
            return new RequestedElection(null, LeaderElectionRequests.unknown(partition));
        }
        return RequestedElection.of(type, partition, states.get(partition.partition()), image);
    }

    private static MetadataRecord record(MetadataImage image, TopicPartition partition, PartitionImage next) {
        return new MetadataRecord.PartitionState(image.topic(partition.topic()).topicId(), partition.partition(), next);
    }
}
