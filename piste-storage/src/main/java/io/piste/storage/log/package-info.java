/**
 * The partition log: segments on disk, append, read, flush and crash recovery, and the log side of transactions
 * (markers, last stable offset, aborted transactions).
 */
package io.piste.storage.log;
