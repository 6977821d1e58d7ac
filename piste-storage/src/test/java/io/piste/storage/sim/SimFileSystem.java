package io.piste.storage.sim;

import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.Set;

/** The NIO face of a {@link SimulatedDisk}: Unix path syntax, one root, basic attributes only. */
final class SimFileSystem extends FileSystem {
    private final SimFileSystemProvider provider;

    SimFileSystem(SimFileSystemProvider provider) {
        this.provider = provider;
    }

    @Override
    public SimFileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("the simulated file system stays open");
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return "/";
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        return List.of(getPath("/"));
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return List.of();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return Set.of("basic");
    }

    @Override
    public SimPath getPath(String first, String... more) {
        return new SimPath(this, FileSystems.getDefault().getPath(first, more));
    }

    /** Glob and regex matching on the path's string form, as the default file system does. */
    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher names = FileSystems.getDefault().getPathMatcher(syntaxAndPattern);
        return path -> names.matches(FileSystems.getDefault().getPath(path.toString()));
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        throw new UnsupportedOperationException("no users on the simulated disk");
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException("no watch service on the simulated disk");
    }
}
