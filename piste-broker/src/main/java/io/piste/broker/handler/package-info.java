/** One handler per Kafka API family; each turns a decoded request into a response message. */
package io.piste.broker.handler;
