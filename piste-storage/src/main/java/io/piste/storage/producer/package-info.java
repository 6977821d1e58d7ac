/**
 * Producer state: per producer id its epoch, last batches and open transaction, the partition's undecided
 * transactions, with snapshots on disk.
 */
package io.piste.storage.producer;
