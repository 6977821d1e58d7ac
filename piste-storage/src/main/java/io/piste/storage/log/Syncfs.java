package io.piste.storage.log;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Locale;

/**
 * syncfs(2) through JNA: makes every file's data and every directory entry of the file system holding a log dir
 * durable in one call, whatever the number of files written since the last one. The only native code of the
 * storage; one descriptor of the log dir, kept open from {@link #open} to {@link #close}.
 *
 * <p>Usable only on Linux from kernel 5.8 on: before, syncfs returned 0 even when the write-back of a file failed
 * (fixed by "vfs: track per-sb writeback errors and report them to syncfs", Linux 5.8), so a failed write could be
 * acknowledged. Elsewhere, or when JNA cannot load, {@link #unavailableReason()} says why and {@link #open} throws;
 * the caller then fsyncs file by file.
 */
public final class Syncfs implements FileSystemSync {
    private static final int O_RDONLY = 0;
    // 02000000 on x86 and the asm-generic architectures (arm64, riscv, ppc, s390, mips); sparc has its own value,
    // and there the descriptor simply stays open across an exec (the broker starts no processes).
    private static final int O_CLOEXEC = System.getProperty("os.arch", "").startsWith("sparc") ? 0 : 0x80000;

    private static final String UNAVAILABLE =
            probe(System.getProperty("os.name", ""), System.getProperty("os.version", ""));

    private final String dir;
    private final int fd;
    private boolean closed;

    private Syncfs(String dir, int fd) {
        this.dir = dir;
        this.fd = fd;
    }

    /** Null when {@link #open} can be used here; otherwise why not (for the log line of the fallback). */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    /** Opens a descriptor of {@code dir}; write-back errors of its file system from now on reach {@link #sync}. */
    public static Syncfs open(Path dir) throws IOException {
        if (UNAVAILABLE != null) {
            throw new IOException("syncfs unavailable: " + UNAVAILABLE);
        }
        if (dir.getFileSystem() != FileSystems.getDefault()) {
            throw new IOException("syncfs needs a path of the default file system: " + dir);
        }
        String path = dir.toAbsolutePath().toString();
        try {
            return new Syncfs(path, LibC.open(path, O_RDONLY | O_CLOEXEC));
        } catch (LastErrorException e) {
            throw new IOException("syncfs: open(" + path + ") failed errno=" + e.getErrorCode(), e);
        }
    }

    @Override
    public synchronized void sync() throws IOException {
        if (closed) {
            throw new IOException("syncfs: closed dir=" + dir);
        }
        try {
            LibC.syncfs(fd);
        } catch (LastErrorException e) {
            throw new IOException("syncfs failed: dir=" + dir + " errno=" + e.getErrorCode(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            LibC.close(fd);
        } catch (LastErrorException e) {
            // close(2) releases the descriptor on Linux even when it reports an error; nothing was written through it.
        }
    }
    /** Null when {@code osName}/{@code osVersion} (the system properties) name a Linux 5.8 or later and JNA loads. */
    static String probe(String osName, String osVersion) {
        String kernel = kernelReason(osName, osVersion);
        if (kernel != null) {
            return kernel;
        }
        try {
            LibC.load();
            return null;
        } catch (LinkageError | RuntimeException e) {
            return "JNA could not load libc: " + e;
        }
    }

    /** Why this kernel's syncfs cannot be trusted, or null: Linux from 5.8 on reports write-back errors. */
    static String kernelReason(String osName, String osVersion) {
        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "not Linux (" + osName + ")";
        }
        String[] parts = osVersion.split("[.\\-+]", 3);
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            if (major > 5 || (major == 5 && minor >= 8)) {
                return null;
            }
        } catch (NumberFormatException e) {
            return "unparsable kernel version " + osVersion;
        }
        return "kernel " + osVersion + " older than 5.8: syncfs does not report write-back errors";
    }

    /** Direct-mapped libc: bound at the first call of {@link #load()}. */
    private static final class LibC {
        static {
            Native.register("c");
        }

        private LibC() {}

        static void load() {
            // Running the static initializer is the load.
        }

        static native int open(String path, int flags) throws LastErrorException;

        static native int syncfs(int fd) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;
    }
}
