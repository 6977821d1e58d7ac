/**
 * One handler per Kafka API family; each turns a decoded request into a response message. Group and offset calls go
 * to the classic or the consumer-protocol coordinator by the group's type ({@code GroupRouter}).
 */
package io.piste.broker.handler;
