/**
 * Sparse offset and time indexes held in memory, written to their files in batches; the aborted-transaction index of
 * each segment, read from its file on demand. Never mapped or held open.
 */
package io.piste.storage.index;
