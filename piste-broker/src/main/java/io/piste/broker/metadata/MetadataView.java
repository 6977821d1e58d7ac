package io.piste.broker.metadata;

import java.util.Collection;
import java.util.List;
import org.apache.kafka.common.Uuid;

/** What the checks of a change read: an image, or an image with part of a change applied. */
interface MetadataView {

    TopicImage topic(String name);

    TopicImage topic(Uuid id);

    Collection<TopicImage> topics();

    long producerIdBlockEnd();

    BrokerImage broker(int nodeId);

    List<PartitionImage> partitions(Uuid topicId);
}
