/** Flyweight views over magic v2 record batches, and the checks a batch must pass before it is stored. */
package io.piste.storage.record;
