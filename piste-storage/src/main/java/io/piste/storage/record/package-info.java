/**
 * Flyweight views over magic v2 record batches, the checks a batch must pass before it is stored, and transaction
 * markers (control batches) in Kafka's format.
 */
package io.piste.storage.record;
