package io.piste.storage.checkpoint;

/** A topic partition as named in checkpoint files. */
public record TopicPartitionKey(String topic, int partition) {
    public TopicPartitionKey {
        if (topic == null || topic.isEmpty() || topic.contains(" ") || topic.contains("\n")) {
            throw new IllegalArgumentException("invalid topic name: topic=" + topic);
        }
        if (partition < 0) {
            throw new IllegalArgumentException("negative partition: partition=" + partition);
        }
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
