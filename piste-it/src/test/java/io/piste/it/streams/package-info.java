/**
 * Kafka Streams against Piste: an exactly-once application run in a child JVM, killed and started again, whose output
 * and state store changelog are checked against counts the test computes itself.
 */
package io.piste.it.streams;
