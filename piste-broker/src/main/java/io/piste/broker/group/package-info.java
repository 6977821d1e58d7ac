/** The group coordinator: classic consumer-group membership and committed offsets, kept in __consumer_offsets. */
package io.piste.broker.group;
