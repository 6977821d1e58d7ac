/** Other clients against Piste: kcat (librdkafka) and Apache Kafka's own command-line tools. */
package io.piste.it.compat;
