/**
 * The client commands of {@code piste} (topic, produce, consume, group, config, cluster): each talks to any
 * Kafka-protocol cluster through the public kafka-clients Admin, Producer and Consumer API only, so it works against
 * Apache Kafka as well as Piste. Loaded only for those commands, never on the {@code piste server} path.
 */
package io.piste.server.cli;
