/** The piste command: start-up, configuration loading and the lifecycle of a broker process. */
package io.piste.server;
