/** A simulated disk that forgets, at a power loss, what was not fsynced: for seeded crash tests of the storage. */
package io.piste.storage.sim;
