package io.piste.broker.group.consumer;

/** The states of a consumer group, with Kafka's names (as ListGroups and ConsumerGroupDescribe report them). */
enum ConsumerGroupState {
    /** No members. */
    EMPTY("Empty"),
    /** The group epoch moved past the target assignment's (never seen here: the target is computed at once). */
    ASSIGNING("Assigning"),
    /** Some member has not reached the target assignment yet. */
    RECONCILING("Reconciling"),
    STABLE("Stable"),
    DEAD("Dead");

    final String kafkaName;

    ConsumerGroupState(String kafkaName) {
        this.kafkaName = kafkaName;
    }
}
