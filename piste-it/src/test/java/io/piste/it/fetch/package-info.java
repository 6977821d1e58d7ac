/**
 * Fetch sessions (KIP-227) against a real broker: the Java consumer's incremental fetches, and raw fetch requests
 * that show what an incremental response carries and which error codes a misused session gets.
 */
package io.piste.it.fetch;
