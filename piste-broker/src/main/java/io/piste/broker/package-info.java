/** The Piste broker: one node's metadata, partitions and Kafka listener, wired together. */
package io.piste.broker;
