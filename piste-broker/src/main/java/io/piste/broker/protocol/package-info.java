/** Adapters between Piste and the kafka-clients message classes: the ApiVersions table, request context, records. */
package io.piste.broker.protocol;
