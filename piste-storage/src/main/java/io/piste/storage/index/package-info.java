/** Sparse offset and time indexes held in memory, written to their files in batches; never mapped or held open. */
package io.piste.storage.index;
