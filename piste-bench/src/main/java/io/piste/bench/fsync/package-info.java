/** Stand-alone measurements of ways to make many files durable at once (the group commit's candidates). */
package io.piste.bench.fsync;
