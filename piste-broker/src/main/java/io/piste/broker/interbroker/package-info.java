/**
 * Requests from this node to the other brokers of its cluster, on kafka-clients' own network client: the
 * transaction coordinator's markers to the leaders of partitions on other nodes ({@code MarkerSender}).
 */
package io.piste.broker.interbroker;
