package io.piste.broker;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.metadata.Controller;
import io.piste.broker.metadata.LocalController;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens the broker's metadata controller in its metadata directory: the single node's own ({@link #LOCAL}), or,
 * from a module above the broker, a cluster's on the metadata quorum. It returns once the controller's image is
 * what the broker may open its partitions from.
 */
@FunctionalInterface
public interface ControllerFactory {

    /** Under the metadata directory: a cluster node's quorum storage. */
    String QUORUM_DIR = "quorum";

    /**
     * The single node's controller, with its own metadata log; refused on the log dirs of a cluster node, whose
     * topics are in the quorum's log, not in a metadata log the single node would start empty.
     */
    ControllerFactory LOCAL = (config, metadataDir) -> {
        if (Files.isDirectory(metadataDir.resolve(QUORUM_DIR))) {
            throw new IOException("The log dir holds a cluster node's metadata (" + metadataDir.resolve(QUORUM_DIR)
                    + "); start it with that cluster's controller.quorum.voters");
        }
        return LocalController.open(metadataDir, config.nodeId());
    };

    Controller open(BrokerConfig config, Path metadataDir) throws IOException;
}
