/** Benchmarks of request decoding and response encoding as the broker's connection does them. */
package io.piste.bench.protocol;
