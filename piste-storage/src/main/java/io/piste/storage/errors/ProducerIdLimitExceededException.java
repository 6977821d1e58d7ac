package io.piste.storage.errors;

/**
 * A batch from a producer id the partition does not track yet, when it already tracks its limit of producer ids
 * ({@code producer.id.max.per.partition}). Nothing was written and no tracked producer was forgotten; a slot frees
 * when a producer expires ({@code producer.id.expiration.ms}).
 */
public class ProducerIdLimitExceededException extends StorageException {
    private static final long serialVersionUID = 1L;

    public ProducerIdLimitExceededException(String message) {
        super(message);
    }
}
