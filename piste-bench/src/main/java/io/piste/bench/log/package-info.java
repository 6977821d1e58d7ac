/** Benchmarks of {@code UnifiedLog}: append as leader, and the fetch read path from an offset to a file slice. */
package io.piste.bench.log;
