package io.piste.broker.group.consumer;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;

/**
 * Resolves members' subscriptions (topic names and regular expressions) against the metadata: topics that do not
 * exist yet are left out until they are created. Regular expressions never match internal topics, as in Kafka.
 *
 * <p>{@code SubscribedTopicRegex} is evaluated with RE2/J, as in Kafka: its syntax (no backreferences or lookaround)
 * and time linear in the topic name's length, whatever the pattern, as it runs under the coordinator's lock.
 */
final class TopicSubscriptions {

    private TopicSubscriptions() {}

    static Map<String, SubscribedTopic> resolve(Collection<ConsumerGroupMember> members, MetadataImage image) {
        Map<String, SubscribedTopic> resolved = new TreeMap<>();
        boolean anyRegex = false;
        for (ConsumerGroupMember member : members) {
            for (String name : member.subscribedTopicNames) {
                TopicImage topic = image.topic(name);
                if (topic != null) {
                    resolved.put(name, new SubscribedTopic(topic.topicId(), topic.partitionCount()));
                }
            }
            anyRegex |= member.subscribedTopicPattern != null;
        }
        if (anyRegex) {
            for (TopicImage topic : image.topics()) {
                if (Topic.isInternal(topic.name()) || resolved.containsKey(topic.name())) {
                    continue;
                }
                for (ConsumerGroupMember member : members) {
                    if (member.subscribedTopicPattern != null
                            && member.subscribedTopicPattern
                                    .matcher(topic.name())
                                    .matches()) {
                        resolved.put(topic.name(), new SubscribedTopic(topic.topicId(), topic.partitionCount()));
                        break;
                    }
                }
            }
        }
        return Map.copyOf(resolved);
    }

    /** The ids of the resolved topics {@code member} subscribes to. */
    static Set<Uuid> topicIdsOf(ConsumerGroupMember member, Map<String, SubscribedTopic> resolved) {
        Set<Uuid> ids = new HashSet<>();
        resolved.forEach((name, topic) -> {
            if (member.subscribesTo(name) && !(Topic.isInternal(name) && !member.subscribedTopicNames.contains(name))) {
                ids.add(topic.topicId());
            }
        });
        return ids;
    }
}
