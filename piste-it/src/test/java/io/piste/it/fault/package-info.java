/** Fault tests: malformed input on the wire and a full disk, while real clients keep working. */
package io.piste.it.fault;
