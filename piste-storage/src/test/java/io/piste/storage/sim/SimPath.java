package io.piste.storage.sim;

import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

/**
 * A path of a {@link SimFileSystem}: the name arithmetic is that of a path of the default file system (Unix
 * syntax), which is never used to touch a real file; only the file system it answers to differs. Immutable.
 */
final class SimPath implements Path {
    private static final Path REAL_ROOT = FileSystems.getDefault().getPath("/");

    private final SimFileSystem fileSystem;
    private final Path names;

    SimPath(SimFileSystem fileSystem, Path names) {
        this.fileSystem = fileSystem;
        this.names = names;
    }

    /** The absolute, normalized name path of a path of this file system. */
    static Path absolute(Path path) {
        if (!(path instanceof SimPath sim)) {
            throw new ProviderMismatchException("not a simulated path: " + path);
        }
        return (sim.names.isAbsolute() ? sim.names : REAL_ROOT.resolve(sim.names)).normalize();
    }

    private SimPath wrap(Path p) {
        return p == null ? null : new SimPath(fileSystem, p);
    }

    private static Path unwrap(Path p) {
        if (!(p instanceof SimPath sim)) {
            throw new ProviderMismatchException("not a simulated path: " + p);
        }
        return sim.names;
    }

    @Override
    public SimFileSystem getFileSystem() {
        return fileSystem;
    }

    @Override
    public boolean isAbsolute() {
        return names.isAbsolute();
    }

    @Override
    public Path getRoot() {
        return wrap(names.getRoot());
    }

    @Override
    public Path getFileName() {
        return wrap(names.getFileName());
    }

    @Override
    public Path getParent() {
        return wrap(names.getParent());
    }

    @Override
    public int getNameCount() {
        return names.getNameCount();
    }

    @Override
    public Path getName(int index) {
        return wrap(names.getName(index));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
        return wrap(names.subpath(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(Path other) {
        return other instanceof SimPath && names.startsWith(unwrap(other));
    }

    @Override
    public boolean endsWith(Path other) {
        return other instanceof SimPath && names.endsWith(unwrap(other));
    }

    @Override
    public Path normalize() {
        return wrap(names.normalize());
    }

    @Override
    public Path resolve(Path other) {
        return wrap(names.resolve(unwrap(other)));
    }

    @Override
    public Path relativize(Path other) {
        return wrap(names.relativize(unwrap(other)));
    }

    @Override
    public URI toUri() {
        return URI.create(SimFileSystemProvider.SCHEME + "://" + absolute(this));
    }

    @Override
    public Path toAbsolutePath() {
        return names.isAbsolute() ? this : wrap(REAL_ROOT.resolve(names));
    }

    @Override
    public Path toRealPath(LinkOption... options) {
        return wrap(absolute(this));
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
        throw new UnsupportedOperationException("no watch service on the simulated disk");
    }

    @Override
    public int compareTo(Path other) {
        return names.compareTo(unwrap(other));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SimPath sim && sim.fileSystem == fileSystem && sim.names.equals(names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    @Override
    public String toString() {
        return names.toString();
    }
}
