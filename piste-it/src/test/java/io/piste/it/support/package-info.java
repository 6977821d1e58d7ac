/** Brokers in process and as child processes, clients with short timeouts, and readers of whole logs. */
package io.piste.it.support;
