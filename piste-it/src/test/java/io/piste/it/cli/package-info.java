/** The {@code piste} client commands (topic, produce, consume, group, config, cluster) against a real broker. */
package io.piste.it.cli;
