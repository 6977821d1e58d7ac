/**
 * The storage layer's exceptions, each named for the Kafka error a broker answers with. A leaf package: the log,
 * the record checks and the producer state all throw them, and it depends on none of them.
 */
package io.piste.storage.errors;
