package io.piste.broker.group;

/** The states of a classic group, with Kafka's names (as DescribeGroups and ListGroups report them). */
enum GroupState {
    EMPTY("Empty"),
    PREPARING_REBALANCE("PreparingRebalance"),
    COMPLETING_REBALANCE("CompletingRebalance"),
    STABLE("Stable"),
    DEAD("Dead");

    final String kafkaName;

    GroupState(String kafkaName) {
        this.kafkaName = kafkaName;
    }
}
