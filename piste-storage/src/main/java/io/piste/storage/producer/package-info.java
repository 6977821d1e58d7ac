/** Idempotent-producer state: per producer id its epoch and last batches, with snapshots on disk. */
package io.piste.storage.producer;
