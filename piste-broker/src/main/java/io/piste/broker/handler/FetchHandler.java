package io.piste.broker.handler;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.partition.Partition;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Fetch: reads whole batches up to the high watermark as file slices (sent with sendfile), within the
 * request's and each partition's byte limits. A fetch that finds fewer than {@code min.bytes} waits up to
 * {@code max.wait.ms} for produce to bring more ({@link DelayedFetch}).
 *
 * <p>Fetch sessions (KIP-227) are answered the documented session-less way: session id 0, so clients send
 * full fetch requests every time.
 */
final class FetchHandler implements RequestHandler {

    private final BrokerContext broker;

    FetchHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public void handle(RequestContext context) {
        FetchRequestData request = context.data();
        if (request.sessionId() != 0) {
            context.respond(new FetchResponseData().setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code()));
            return;
        }
        List<FetchTarget> targets = resolve(request, context.apiVersion() >= 13);
        FetchReader reader = new FetchReader(targets, request.maxBytes());
        FetchReader.Result first = reader.read();
        boolean mustAnswerNow = request.maxWaitMs() <= 0 || first.bytes() >= request.minBytes()
            || first.hasError() || targets.isEmpty();
        if (mustAnswerNow) {
            context.respond(first.response());
        } else {
            new DelayedFetch(context, reader, targets, request.minBytes(), request.maxWaitMs()).start();
        }
    }

    private List<FetchTarget> resolve(FetchRequestData request, boolean byId) {
        MetadataImage image = broker.controller().image();
        List<FetchTarget> targets = new ArrayList<>();
        for (FetchTopic topic : request.topics()) {
            TopicImage known = byId ? image.topic(topic.topicId()) : image.topic(topic.topic());
            for (FetchPartition p : topic.partitions()) {
                Partition partition = known == null ? null
                    : broker.replicaManager().partition(known.name(), p.partition());
                Errors error = Errors.NONE;
                if (partition == null) {
                    error = known == null && byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else {
                    error = partition.checkLeaderEpoch(p.currentLeaderEpoch());
                }
                targets.add(new FetchTarget(topic.topic(), topic.topicId() == null ? Uuid.ZERO_UUID : topic.topicId(),
                    p.partition(), p.fetchOffset(), p.partitionMaxBytes(), partition, error));
            }
        }
        return targets;
    }
}
