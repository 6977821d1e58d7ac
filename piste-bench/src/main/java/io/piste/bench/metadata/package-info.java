/** Benchmarks of the metadata image: applying changes as the controller and the quorum's state machine do. */
package io.piste.bench.metadata;
