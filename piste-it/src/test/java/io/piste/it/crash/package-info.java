/** Crash tests: a broker process killed with SIGKILL under load keeps every acknowledged record exactly once. */
package io.piste.it.crash;
