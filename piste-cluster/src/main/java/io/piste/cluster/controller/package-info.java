/**
 * The broker's {@link io.piste.broker.metadata.Controller} on the metadata quorum: each change is checked against
 * this node's image, proposed to the quorum, and heard of by every node's listener as it applies it.
 */
package io.piste.cluster.controller;
