package io.piste.broker.metadata;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The metadata log holds a record this broker cannot apply: a corrupt one before the tail, or one of an unknown
 * type or version (written by a newer Piste). The broker does not start on it, as Kafka refuses an unknown
 * metadata record version: loading past it would drop the topics recorded after it, and their directories would
 * then look like nobody's. The message names the file, the byte position and the record.
 */
public final class CorruptMetadataLogException extends IOException {

    private static final long serialVersionUID = 1L;

    CorruptMetadataLogException(Path file, long position, String problem, long bytesToEnd, String remedy) {
        super("Cannot load metadata log " + file + " at byte " + position + ": " + problem + "; " + bytesToEnd
                + " bytes from there to the end. The broker does not start on it rather than drop the changes recorded"
                + " from there on: " + remedy + ".");
    }
}
