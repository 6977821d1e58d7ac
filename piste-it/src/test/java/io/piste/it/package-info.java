/** Integration tests: the real Kafka Java clients against a Piste broker over TCP on loopback. */
package io.piste.it;
