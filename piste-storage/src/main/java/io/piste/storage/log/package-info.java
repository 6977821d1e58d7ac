/** The partition log: segments on disk, append, read, flush and crash recovery. */
package io.piste.storage.log;
