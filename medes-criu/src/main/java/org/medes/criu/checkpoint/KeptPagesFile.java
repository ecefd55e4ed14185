package org.medes.criu.checkpoint;

import org.medes.core.page.PageSize;
import org.medes.criu.tool.LibC;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A pages file a {@link DedupStart} keeps from one start to the next: an unnamed file
 * ({@code O_TMPFILE}) in the work directory's file system, mapped shared once. A start rebuilds its
 * pages into the mapping, gives CRIU a name to read it by ({@link #nameAs}), and removes that
 * name once CRIU has restored the process. The next start finds the file's pages allocated and
 * mapped, so its rebuild costs no page fault (a new tmpfs file costs one per page: the numpy
 * worker's 5,173 pages rebuilt in ~14 ms into a new mapped file, ~7 ms into kept memory). The
 * kernel frees the file with the last descriptor or mapping, so a JVM that dies leaks nothing.
 *
 * <p>Thread-safety: not thread-safe; a {@link DedupStart} lends it to one start at a time.
 */
final class KeptPagesFile implements AutoCloseable {
    private final Path dir;
    private int fd;
    private long address;
    private long capacity;

    private KeptPagesFile(Path dir, int fd) {
        this.dir = dir;
        this.fd = fd;
    }

    /**
     * An unnamed file in {@code dir}'s file system.
     *
     * @throws IOException when the file system has no unnamed files or the call fails
     */
    static KeptPagesFile create(Path dir) throws IOException {
        LibC c = LibC.get();
        int fd = c.open(dir.toString(), LibC.O_TMPFILE | LibC.O_RDWR | LibC.O_CLOEXEC, 0600);
        if (fd < 0) {
            throw new IOException(LibC.describe("cannot make an unnamed pages file in " + dir));
        }
        return new KeptPagesFile(dir, fd);
    }

    /**
     * Sizes the file to {@code bytes} and returns the address of its first byte in a shared
     * mapping, valid until the next call or {@link #close}; the mapping is kept and grown only when
     * a larger file is asked for.
     */
    long map(long bytes) throws IOException {
        LibC c = LibC.get();
        if (c.ftruncate(fd, bytes) != 0) {
            throw new IOException(LibC.describe("cannot size the unnamed pages file in " + dir + " to " + bytes + " bytes"));
        }
        if (bytes > capacity) {
            unmap();
            long length = Math.max(PageSize.BYTES, bytes);
            jnr.ffi.Pointer p = c.mmap(null, length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
            long a = p == null ? LibC.MAP_FAILED : p.address();
            if (a == LibC.MAP_FAILED || a == 0) {
                throw new IOException(LibC.describe("cannot map the unnamed pages file in " + dir));
            }
            address = a;
            capacity = length;
        }
        return address;
    }

    /**
     * Makes {@code target} name the file for CRIU: a symbolic link to this process's descriptor of
     * it ({@code /proc/PID/fd/N}), which CRIU, running as root, opens like the file itself. An
     * unnamed file cannot be linked again once a name it had was removed, so it is never given a
     * name of its own; the link is removed once CRIU has read it.
     *
     * @throws IOException when {@code target} exists or cannot be made
     */
    void nameAs(Path target) throws IOException {
        Files.createSymbolicLink(target, Path.of("/proc/" + ProcessHandle.current().pid() + "/fd/" + fd));
    }

    private void unmap() {
        if (capacity > 0) {
            LibC.get().munmap(address, capacity);
            address = 0;
            capacity = 0;
        }
    }

    /** Unmaps and closes the file; its memory is freed once no name is left on it. Idempotent. */
    @Override
    public void close() {
        unmap();
        if (fd >= 0) {
            LibC.get().close(fd);
            fd = -1;
        }
    }
}
