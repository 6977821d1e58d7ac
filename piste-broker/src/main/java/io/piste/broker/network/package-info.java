/** Netty server: Kafka frame decoding, per-connection in-order responses, back-pressure and zero-copy writes. */
package io.piste.broker.network;
