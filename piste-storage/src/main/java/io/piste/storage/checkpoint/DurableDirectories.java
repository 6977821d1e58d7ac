package io.piste.storage.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates directories that survive a power loss: a new directory's entry lives in its parent, which must be
 * fsynced too, else the directory (and every fsynced file in it) may be gone after the cut. Stateless.
 */
public final class DurableDirectories {
    private DurableDirectories() {}

    /** Creates {@code dir} and its missing parents, then fsyncs the parent of each directory it created. */
    public static void createDirectories(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.add(p);
        }
        Files.createDirectories(dir);
        for (Path created : missing) {
            AtomicFiles.fsyncDirectory(created.getParent());
        }
    }
}
