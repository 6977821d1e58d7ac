/** Sparse offset and time indexes held in memory and appended to their files, never memory-mapped. */
package io.piste.storage.index;
