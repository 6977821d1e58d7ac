/**
 * The transaction coordinator: each transactional id's state ({@link TransactionMetadata}), kept in the compacted
 * internal topic {@code __transaction_state}, and the markers that end a transaction in every partition it wrote to.
 */
package io.piste.broker.txn;
