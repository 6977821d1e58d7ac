/** Broker and topic configs with Kafka's names, defaults and validators; Describe and (Incremental)AlterConfigs. */
package io.piste.broker.config;
