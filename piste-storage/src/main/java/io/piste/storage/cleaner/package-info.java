/** Log compaction: the cleaner that keeps the last record of each key of a compacted log, in bounded memory. */
package io.piste.storage.cleaner;
