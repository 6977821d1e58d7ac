/** The broker's monitoring seen from outside: its metrics endpoint scraped over HTTP, its MBeans over JMX. */
package io.piste.it.metrics;
