package io.piste.storage.sim;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Routes the NIO calls on {@link SimPath}s to their {@link SimulatedDisk}: channels, directory streams, creation,
 * deletion, renames and basic attributes. Not registered with {@link FileSystemProvider#installedProviders()}:
 * only paths obtained from {@link SimulatedDisk#root()} reach it.
 */
final class SimFileSystemProvider extends FileSystemProvider {
    static final String SCHEME = "piste-sim";

    private final SimulatedDisk disk;

    SimFileSystemProvider(SimulatedDisk disk) {
        this.disk = disk;
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
        throw new UnsupportedOperationException("create a SimulatedDisk instead");
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        throw new UnsupportedOperationException("use SimulatedDisk.root()");
    }

    @Override
    public Path getPath(URI uri) {
        throw new UnsupportedOperationException("use SimulatedDisk.root()");
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return newFileChannel(path, options, attrs);
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        boolean append = options.contains(StandardOpenOption.APPEND);
        boolean writable = append || options.contains(StandardOpenOption.WRITE);
        boolean readable = options.contains(StandardOpenOption.READ) || !writable;
        synchronized (disk) {
            disk.checkAlive("open", path);
            SimInode inode = disk.lookup(path);
            if (inode != null && writable && options.contains(StandardOpenOption.CREATE_NEW)) {
                throw new FileAlreadyExistsException(path.toString());
            }
            if (inode == null) {
                if (!writable
                        || !(options.contains(StandardOpenOption.CREATE)
                                || options.contains(StandardOpenOption.CREATE_NEW))) {
                    throw new NoSuchFileException(path.toString());
                }
                inode = disk.createFile(path);
            }
            if (inode instanceof SimDirectory dir) {
                if (writable) {
                    throw new IOException("Is a directory: " + path);
                }
                return SimFileChannel.forDirectory(disk, path, dir);
            }
            SimFile file = (SimFile) inode;
            if (writable && options.contains(StandardOpenOption.TRUNCATE_EXISTING) && file.size() > 0) {
                disk.step("truncate", path);
                file.truncate(0);
            }
            return SimFileChannel.forFile(disk, path, file, readable, writable, append);
        }
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        List<Path> children = new ArrayList<>();
        synchronized (disk) {
            disk.checkAlive("list", dir);
            if (!(disk.existing(dir) instanceof SimDirectory directory)) {
                throw new NotDirectoryException(dir.toString());
            }
            for (String name : directory.names()) {
                Path child = dir.resolve(name);
                if (filter.accept(child)) {
                    children.add(child);
                }
            }
        }
        return new DirectoryStream<>() {
            @Override
            public Iterator<Path> iterator() {
                return children.iterator();
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        synchronized (disk) {
            disk.checkAlive("mkdir", dir);
            disk.createDirectory(dir);
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        synchronized (disk) {
            disk.checkAlive("delete", path);
            disk.delete(path);
        }
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) {
        throw new UnsupportedOperationException("copy is not simulated: source=" + source);
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        boolean replace = false;
        for (CopyOption option : options) {
            // rename(2) replaces the target, which is what an atomic move does on Linux
            replace |= option == StandardCopyOption.REPLACE_EXISTING || option == StandardCopyOption.ATOMIC_MOVE;
        }
        synchronized (disk) {
            disk.checkAlive("rename", source);
            if (SimPath.absolute(source).equals(SimPath.absolute(target))) {
                disk.existing(source);
                return;
            }
            disk.move(source, target, replace);
        }
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        synchronized (disk) {
            disk.checkAlive("stat", path);
            return disk.existing(path) == disk.existing(path2);
        }
    }

    @Override
    public boolean isHidden(Path path) {
        Path name = path.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    @Override
    public FileStore getFileStore(Path path) {
        throw new UnsupportedOperationException("no file store on the simulated disk");
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        synchronized (disk) {
            disk.checkAlive("stat", path);
            disk.existing(path);
        }
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        return null;
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        if (type != BasicFileAttributes.class) {
            throw new UnsupportedOperationException("only basic attributes are simulated: type=" + type);
        }
        Attributes attributes;
        synchronized (disk) {
            disk.checkAlive("stat", path);
            SimInode inode = disk.existing(path);
            attributes = new Attributes(
                    inode.id(), inode instanceof SimDirectory, inode instanceof SimFile file ? file.size() : 0);
        }
        return type.cast(attributes);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) {
        throw new UnsupportedOperationException("only basic attributes are simulated");
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) {
        throw new UnsupportedOperationException("attributes are not simulated");
    }

    private record Attributes(long inodeId, boolean isDirectory, long size) implements BasicFileAttributes {
        @Override
        public FileTime lastModifiedTime() {
            return FileTime.fromMillis(0);
        }

        @Override
        public FileTime lastAccessTime() {
            return FileTime.fromMillis(0);
        }

        @Override
        public FileTime creationTime() {
            return FileTime.fromMillis(0);
        }

        @Override
        public boolean isRegularFile() {
            return !isDirectory;
        }

        @Override
        public boolean isSymbolicLink() {
            return false;
        }

        @Override
        public boolean isOther() {
            return false;
        }

        @Override
        public Object fileKey() {
            return inodeId;
        }
    }
}
