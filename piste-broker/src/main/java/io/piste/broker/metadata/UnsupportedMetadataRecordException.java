package io.piste.broker.metadata;

/** A metadata record of a type or version this broker does not know: a newer version wrote it. */
final class UnsupportedMetadataRecordException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    UnsupportedMetadataRecordException(String message) {
        super(message);
    }
}
