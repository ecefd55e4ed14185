package org.medes.criu.tool;

import jnr.ffi.Pointer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes native memory straight into a new file with {@code pwrite(2)}, without copying it through
 * a Java array first: how a rebuilt {@code pages-N.img} goes from the engine's off-heap pages to
 * tmpfs. Stateless; thread-safe.
 */
public final class NativeFiles {
    private NativeFiles() {
    }

    /** An open file being written; {@link #close()} closes it. Not thread-safe. */
    public static final class Writer implements AutoCloseable {
        private final Path path;
        private int fd;
        private long written;

        private Writer(Path path, int fd) {
            this.path = path;
            this.fd = fd;
        }

        /**
         * Appends {@code length} bytes at native {@code address}.
         *
         * @throws IOException naming the file, the offset and errno
         */
        public void append(long address, long length) throws IOException {
            LibC c = LibC.get();
            jnr.ffi.Runtime rt = jnr.ffi.Runtime.getRuntime(c);
            long done = 0;
            while (done < length) {
                long n = c.pwrite(fd, Pointer.wrap(rt, address + done), length - done, written + done);
                if (n < 0) {
                    if (LibC.errno() == LibC.EINTR) {
                        continue;
                    }
                    throw new IOException(LibC.describe("pwrite of " + (length - done) + " bytes into " + path
                            + " at offset " + (written + done)));
                }
                if (n == 0) {
                    throw new IOException("pwrite into " + path + " at offset " + (written + done) + " wrote nothing");
                }
                done += n;
            }
            written += length;
        }

        public long written() {
            return written;
        }

        @Override
        public void close() throws IOException {
            if (fd >= 0) {
                int r = LibC.get().close(fd);
                fd = -1;
                if (r != 0) {
                    throw new IOException(LibC.describe("close of " + path));
                }
            }
        }
    }

    /**
     * Creates {@code path}, which must not exist, for writing.
     *
     * @throws IOException when libc cannot be loaded or the file cannot be created (errno named)
     */
    public static Writer create(Path path) throws IOException {
        LibC c = CriuSwrk.libc();
        int fd = c.open(path.toString(), LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0644);
        if (fd < 0) {
            throw new IOException(LibC.describe("cannot create " + path));
        }
        return new Writer(path, fd);
    }
}
