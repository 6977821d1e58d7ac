/**
 * Incremental fetch sessions (KIP-227): the broker-wide session cache, what each session remembers of its partitions,
 * and the per-request context that decides which partitions a fetch reads and which its response must carry.
 */
package io.piste.broker.fetchsession;
