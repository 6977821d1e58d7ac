/** Cluster tests: several Piste processes on loopback forming one cluster over the metadata quorum. */
package io.piste.it.cluster;
