package io.piste.broker.group.consumer;

/** Where a member is in reconciling its assignment with the group's target assignment. */
enum MemberState {
    /** The member owns exactly what the target gives it, at the target's epoch. */
    STABLE,
    /** The member must first revoke partitions the target moved away; its epoch stays until it has. */
    UNREVOKED_PARTITIONS,
    /** The member is at the target epoch but waits for partitions other members have not released yet. */
    UNRELEASED_PARTITIONS
}
