package io.piste.storage.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.Predicate;

/** A {@link FileChannelFactory} whose channels fail writes while {@link #diskFull} is set, for chosen files. */
final class FaultyFiles implements FileChannelFactory {
    volatile boolean diskFull;
    private final Predicate<Path> affected;
    private final int partialBytes;

    FaultyFiles(Predicate<Path> affected, int partialBytes) {
        this.affected = affected;
        this.partialBytes = partialBytes;
    }

    static FaultyFiles all(int partialBytes) {
        return new FaultyFiles(p -> true, partialBytes);
    }

    static FaultyFiles suffix(String suffix, int partialBytes) {
        return new FaultyFiles(p -> p.getFileName().toString().endsWith(suffix), partialBytes);
    }

    @Override
    public FileChannel open(Path path) throws IOException {
        FileChannel real = FileChannelFactory.DEFAULT.open(path);
        return affected.test(path) ? new FaultyFileChannel(real, () -> diskFull, partialBytes) : real;
    }
}
