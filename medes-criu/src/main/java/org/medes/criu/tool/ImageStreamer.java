package org.medes.criu.tool;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The serving side of CRIU's image-streamer protocol, so that {@code criu restore --stream} reads
 * its image files from this JVM instead of a directory, and a file can be produced while CRIU
 * already restores (the pages of a dedup start, rebuilt block by block).
 *
 * <p>The protocol (CRIU's {@code criu/img-streamer.c} and {@code images/img-streamer.proto}):
 * CRIU connects to {@code <images dir>/streamer-serve.sock} (a SOCK_STREAM Unix socket). For each
 * image file it opens it sends an {@code img_streamer_request_entry} (a little-endian u32 length,
 * then the protobuf: field 1, the file name), and reads an {@code img_streamer_reply_entry}
 * (field 1, {@code exists}). When the file exists CRIU makes a pipe and passes its write end with
 * SCM_RIGHTS on one dummy byte; the streamer writes the file's bytes into it and closes it. CRIU
 * reads each file front to back, pages in pagemap order, and closes the socket when it needs no
 * more files. If the streamer stops a file short (closes the pipe early), CRIU fails the restore
 * before the restored tree runs: that is how a page that cannot be rebuilt aborts a restore.
 *
 * <p>Files are served from a directory, except the ones named in {@code streamed}, whose bytes a
 * {@link Content} writes; each file is written on a thread of its own (CRIU may hold several open
 * at once). Linux, 64-bit.
 *
 * <p>Thread-safety: {@link #awaitDone} and {@link #close} may be called from any thread.
 */
public final class ImageStreamer implements AutoCloseable {
    /** The socket CRIU's restore connects to, in its images directory. */
    public static final String SOCKET_NAME = "streamer-serve.sock";
    /** Files up to this size are written by the serving thread itself: a fresh pipe holds them. */
    private static final int INLINE_BYTES = 64 * 1024;
    private static final int PIPE_BYTES = 1 << 20;
    private static final int MAX_REQUEST = 64 * 1024;

    /** Writes the bytes of one streamed image file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Pipe out) throws IOException;
    }

    /**
     * The write end of the pipe CRIU reads one image file from. Bytes are handed to the pipe with
     * {@code vmsplice} (the pipe refers to the caller's pages instead of copying them; CRIU's read
     * is then the only copy), falling back to {@code write} where that is refused: the memory
     * written must stay unchanged until CRIU has read it.
     */
    public static final class Pipe {
        private final int fd;
        private final String file;
        private final jnr.ffi.Runtime rt;
        private final Pointer iov;
        private boolean splice = !Boolean.getBoolean("medes.criu.stream.noVmsplice");
        private long written;

        private Pipe(int fd, String file) {
            this.fd = fd;
            this.file = file;
            this.rt = jnr.ffi.Runtime.getRuntime(LibC.get());
            this.iov = Memory.allocateDirect(rt, 16, true);
        }

        /** Hands {@code length} bytes of native memory at {@code address} to CRIU, blocking while it catches up. */
        public void write(long address, long length) throws IOException {
            LibC c = LibC.get();
            long done = 0;
            while (done < length) {
                long n;
                if (splice) {
                    iov.putAddress(0, address + done);
                    iov.putLong(8, length - done);
                    n = c.vmsplice(fd, iov, 1, 0);
                    if (n < 0 && LibC.errno() != LibC.EINTR && LibC.errno() != LibC.EPIPE) {
                        splice = false; // not a pipe the kernel splices into: copy instead
                        continue;
                    }
                } else {
                    n = c.write(fd, Pointer.wrap(rt, address + done), length - done);
                }
                if (n < 0) {
                    int e = LibC.errno();
                    if (e == LibC.EINTR) {
                        continue;
                    }
                    throw new IOException((e == LibC.EPIPE ? "CRIU closed its end of " : "cannot write ") + file
                            + " after " + (written + done) + " bytes: " + c.strerror(e) + " (errno " + e + ")");
                }
                done += n;
            }
            written += length;
        }
    }

    /** What to serve: the files of a directory and some produced ones. */
    private record Source(Path imagesDir, Map<String, Content> streamed) {
    }

    private final Path socketPath;
    private final Duration timeout;
    private volatile long deadlineNanos;
    private Source source; // guarded by this; null until given
    private final Thread server;
    private final List<Thread> writers = Collections.synchronizedList(new ArrayList<>());
    private final List<String> served = Collections.synchronizedList(new ArrayList<>());
    private volatile int listenFd;
    private int connFd = -1; // guarded by this
    private volatile boolean closed;
    private IOException failure; // guarded by this

    private ImageStreamer(Path socketDir, Source source, Duration timeout) throws IOException {
        this.socketPath = socketDir.resolve(SOCKET_NAME);
        this.timeout = timeout;
        this.source = source;
        this.deadlineNanos = source == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        this.listenFd = listen(socketPath);
        this.server = new Thread(this::serve, "medes-image-streamer");
        this.server.setDaemon(true);
        this.server.start();
    }

    /**
     * Listens at {@code socketDir/streamer-serve.sock} (before CRIU is started) and serves one
     * CRIU restore: the files of {@code imagesDir}, and the files named in {@code streamed} from
     * their {@link Content}. CRIU must connect and finish within {@code timeout}.
     *
     * @throws IOException when the socket cannot be made (its path is longer than 107 bytes, the
     *     directory is missing, a socket is already there)
     */
    public static ImageStreamer start(Path socketDir, Path imagesDir, Map<String, Content> streamed, Duration timeout)
            throws IOException {
        return new ImageStreamer(socketDir, new Source(imagesDir, Map.copyOf(streamed)), timeout);
    }

    /**
     * Listens at {@code socketDir/streamer-serve.sock} without files yet: a CRIU started now
     * connects and waits for its first file until {@link #serve} names them (a restore prepared
     * ahead of need). From {@code serve}, CRIU must finish within {@code timeout}.
     */
    public static ImageStreamer listen(Path socketDir, Duration timeout) throws IOException {
        return new ImageStreamer(socketDir, null, timeout);
    }

    /** Gives a {@link #listen listening} streamer its files; once. */
    public synchronized void serve(Path imagesDir, Map<String, Content> streamed) {
        if (source != null) {
            throw new IllegalStateException(this + " already serves " + source.imagesDir());
        }
        source = new Source(imagesDir, Map.copyOf(streamed));
        deadlineNanos = System.nanoTime() + timeout.toNanos();
        notifyAll();
    }

    /** The files to serve, waiting for {@link #serve} if need be. */
    private synchronized Source source() throws IOException {
        while (source == null && !closed) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for files to serve");
            }
        }
        if (source == null) {
            throw new IOException("image streamer at " + socketPath + " closed before it was given files");
        }
        return source;
    }

    /** The file names CRIU asked for, in order, each with {@code "(absent)"} when it did not exist. */
    public List<String> requested() {
        synchronized (served) {
            return List.copyOf(served);
        }
    }

    /**
     * Waits until CRIU closed the connection and every file was written.
     *
     * @throws IOException the first failure: CRIU never connected, a malformed request, a file
     *     that could not be read or written, or a {@link Content} that failed (its cause kept)
     */
    public void awaitDone(Duration timeout) throws IOException {
        join(server, timeout);
        for (Thread t : snapshot()) {
            join(t, timeout);
        }
        synchronized (this) {
            if (failure != null) {
                throw failure;
            }
        }
        if (server.isAlive()) {
            throw new IOException("the image streamer at " + socketPath + " was still serving after "
                    + timeout.toMillis() + " ms");
        }
    }

    /** Stops serving: closes the socket and the connection and waits for the writer threads. Idempotent. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        closeListening();
        synchronized (this) {
            if (connFd >= 0) {
                LibC.get().shutdown(connFd, 2); // the serving thread wakes and closes it
            }
        }
        join(server, Duration.ofSeconds(5));
        for (Thread t : snapshot()) {
            join(t, Duration.ofSeconds(5));
        }
        Files.deleteIfExists(socketPath);
    }

    private List<Thread> snapshot() {
        synchronized (writers) {
            return List.copyOf(writers);
        }
    }

    private synchronized void fail(IOException e) {
        if (failure == null) {
            failure = e;
        } else if (failure != e) {
            failure.addSuppressed(e);
        }
    }

    // ------------------------------------------------------------------ serving thread

    private void serve() {
        int fd = -1;
        try {
            fd = acceptOne();
            synchronized (this) {
                connFd = fd;
            }
            byte[] len = new byte[4];
            while (true) {
                if (!readFully(fd, len, true)) {
                    return; // CRIU is done: it closed the socket
                }
                int n = (len[0] & 0xff) | (len[1] & 0xff) << 8 | (len[2] & 0xff) << 16 | (len[3] & 0xff) << 24;
                if (n <= 0 || n > MAX_REQUEST) {
                    throw new IOException("malformed request from CRIU on " + socketPath + ": length " + n);
                }
                byte[] msg = new byte[n];
                readFully(fd, msg, false);
                String name = fileName(msg);
                Source src = source();
                Content content = src.streamed().get(name);
                Path file = content == null ? file(src.imagesDir(), name) : null;
                boolean exists = content != null || (file != null && Files.isRegularFile(file));
                served.add(exists ? name : name + " (absent)");
                send(fd, new byte[] {2, 0, 0, 0, 0x08, (byte) (exists ? 1 : 0)});
                if (!exists) {
                    continue;
                }
                int pipe = receiveFd(fd, name);
                LibC.get().fcntl(pipe, LibC.F_SETPIPE_SZ, PIPE_BYTES); // a larger pipe, if allowed
                if (content == null && Files.size(file) <= INLINE_BYTES) {
                    writeFile(pipe, name, file);
                } else {
                    Content c = content != null ? content : out -> copy(file, out);
                    Thread t = new Thread(() -> writeContent(pipe, name, c), "medes-image-streamer-" + name);
                    t.setDaemon(true);
                    writers.add(t);
                    t.start();
                }
            }
        } catch (IOException e) {
            if (!closed) {
                fail(e);
            }
        } catch (RuntimeException e) {
            fail(new IOException("image streamer at " + socketPath + " failed: " + e, e));
        } finally {
            synchronized (this) {
                connFd = -1;
                closeFd(fd);
            }
            closeListening();
        }
    }

    private synchronized void closeListening() {
        closeFd(listenFd);
        listenFd = -1;
    }

    private void writeContent(int pipe, String name, Content content) {
        try {
            content.writeTo(new Pipe(pipe, name));
        } catch (IOException e) {
            fail(new IOException("streaming " + name + " to CRIU failed: " + e.getMessage(), e));
        } catch (RuntimeException e) {
            fail(new IOException("streaming " + name + " to CRIU failed: " + e, e));
        } finally {
            closeFd(pipe); // CRIU sees the end of the file, or a short file when this failed
        }
    }

    private void writeFile(int pipe, String name, Path file) throws IOException {
        try {
            copy(file, new Pipe(pipe, name));
        } finally {
            closeFd(pipe);
        }
    }

    private static void copy(Path file, Pipe out) throws IOException {
        long size = Files.size(file);
        if (size == 0) {
            return;
        }
        if (size <= INLINE_BYTES) {
            byte[] bytes = Files.readAllBytes(file);
            Pointer buf = Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(LibC.get()), bytes.length);
            buf.put(0, bytes, 0, bytes.length);
            out.write(buf.address(), bytes.length);
            return;
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            for (long at = 0; at < size; at += Integer.MAX_VALUE) {
                long len = Math.min(Integer.MAX_VALUE, size - at);
                java.nio.MappedByteBuffer map = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, at, len);
                out.write(net.openhft.chronicle.bytes.BytesStore.wrap(map).addressForRead(0), len);
            }
        }
    }

    /** The file {@code name} of the images directory, or null when the name is not a plain file name. */
    private static Path file(Path imagesDir, String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            return null;
        }
        return imagesDir.resolve(name);
    }

    /** Field 1 (a string) of an {@code img_streamer_request_entry}. */
    private String fileName(byte[] msg) throws IOException {
        int at = 0;
        while (at < msg.length) {
            long[] key = varint(msg, at);
            at = (int) key[1];
            int field = (int) (key[0] >>> 3);
            int wire = (int) (key[0] & 7);
            if (wire == 2) {
                long[] len = varint(msg, at);
                at = (int) len[1];
                if (len[0] < 0 || len[0] > msg.length - at) {
                    throw new IOException("malformed request from CRIU on " + socketPath + ": field " + field
                            + " of " + len[0] + " bytes in a " + msg.length + "-byte message");
                }
                if (field == 1) {
                    return new String(msg, at, (int) len[0], StandardCharsets.UTF_8);
                }
                at += (int) len[0];
            } else if (wire == 0) {
                at = (int) varint(msg, at)[1];
            } else {
                throw new IOException("malformed request from CRIU on " + socketPath + ": wire type " + wire);
            }
        }
        throw new IOException("malformed request from CRIU on " + socketPath + ": no file name");
    }

    private long[] varint(byte[] b, int at) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at >= b.length) {
                throw new IOException("malformed request from CRIU on " + socketPath + ": truncated varint");
            }
            byte x = b[at++];
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return new long[] {v, at};
            }
        }
        throw new IOException("malformed request from CRIU on " + socketPath + ": varint too long");
    }

    // ------------------------------------------------------------------ libc

    private static int listen(Path socketPath) throws IOException {
        byte[] path = socketPath.toString().getBytes(StandardCharsets.UTF_8);
        if (path.length > 107) {
            throw new IOException("socket path " + socketPath + " is " + path.length
                    + " bytes; a Unix socket path takes at most 107");
        }
        LibC c = LibC.get();
        int fd = c.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException(LibC.describe("socket(AF_UNIX, SOCK_STREAM) for " + socketPath));
        }
        Pointer addr = Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(c), LibC.SOCKADDR_UN_BYTES, true);
        addr.putShort(0, (short) LibC.AF_UNIX);
        addr.put(2, path, 0, path.length);
        if (c.bind(fd, addr, LibC.SOCKADDR_UN_BYTES) != 0) {
            String why = LibC.describe("bind " + socketPath);
            c.close(fd);
            throw new IOException(why);
        }
        if (c.listen(fd, 1) != 0) {
            String why = LibC.describe("listen on " + socketPath);
            c.close(fd);
            throw new IOException(why);
        }
        return fd;
    }

    private int acceptOne() throws IOException {
        LibC c = LibC.get();
        waitReadable(listenFd, "CRIU to connect to " + socketPath);
        int fd = c.accept4(listenFd, null, null, LibC.SOCK_CLOEXEC);
        if (fd < 0) {
            throw new IOException(LibC.describe("accept on " + socketPath));
        }
        return fd;
    }

    /** Polls {@code fd} until it is readable; fails at the deadline or when closed. */
    private void waitReadable(int fd, String what) throws IOException {
        LibC c = LibC.get();
        Pointer pollfd = Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(c), 8, true);
        while (true) {
            if (closed) {
                throw new IOException("image streamer at " + socketPath + " closed while waiting for " + what);
            }
            long deadline = deadlineNanos;
            long leftMs = deadline == Long.MAX_VALUE ? Long.MAX_VALUE
                    : TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (leftMs <= 0) {
                throw new IOException("timed out waiting for " + what);
            }
            pollfd.putInt(0, fd);
            pollfd.putShort(4, LibC.POLLIN);
            pollfd.putShort(6, (short) 0);
            int ready = c.poll(pollfd, 1, (int) Math.min(leftMs, 100));
            if (ready > 0) {
                return;
            }
            if (ready < 0 && LibC.errno() != LibC.EINTR) {
                throw new IOException(LibC.describe("poll while waiting for " + what));
            }
        }
    }

    /** Reads {@code buf.length} bytes; false on a clean end of stream before the first byte when {@code eofOk}. */
    private boolean readFully(int fd, byte[] buf, boolean eofOk) throws IOException {
        LibC c = LibC.get();
        int got = 0;
        byte[] chunk = new byte[buf.length];
        while (got < buf.length) {
            waitReadable(fd, "CRIU's next request on " + socketPath);
            long n = c.recv(fd, chunk, buf.length - got, 0);
            if (n < 0) {
                if (LibC.errno() == LibC.EINTR) {
                    continue;
                }
                throw new IOException(LibC.describe("recv from CRIU on " + socketPath));
            }
            if (n == 0) {
                if (got == 0 && eofOk) {
                    return false;
                }
                throw new IOException("CRIU closed " + socketPath + " in the middle of a request");
            }
            System.arraycopy(chunk, 0, buf, got, (int) n);
            got += (int) n;
        }
        return true;
    }

    private void send(int fd, byte[] bytes) throws IOException {
        long n = LibC.get().send(fd, bytes, bytes.length, LibC.MSG_NOSIGNAL);
        if (n != bytes.length) {
            throw new IOException(n < 0 ? LibC.describe("send to CRIU on " + socketPath)
                    : "sent " + n + " of " + bytes.length + " bytes to CRIU on " + socketPath);
        }
    }

    /** Receives the pipe CRIU passes for {@code name}: one dummy byte carrying one SCM_RIGHTS descriptor. */
    private int receiveFd(int fd, String name) throws IOException {
        LibC c = LibC.get();
        FdMessage m = new FdMessage(jnr.ffi.Runtime.getRuntime(c), 64);
        waitReadable(fd, "CRIU's pipe for " + name);
        long n;
        do {
            n = c.recvmsg(fd, m.msg, LibC.MSG_CMSG_CLOEXEC);
        } while (n < 0 && LibC.errno() == LibC.EINTR);
        if (n < 0) {
            throw new IOException(LibC.describe("recvmsg of CRIU's pipe for " + name + " on " + socketPath));
        }
        if (n == 0) {
            throw new IOException("CRIU closed " + socketPath + " before passing the pipe for " + name);
        }
        int passed = m.descriptor();
        if (passed < 0) {
            throw new IOException("CRIU's message for " + name + " on " + socketPath + " carries no descriptor"
                    + " (control length " + m.controlLength() + ")");
        }
        return passed;
    }

    /**
     * A {@code struct msghdr} for one data byte and one SCM_RIGHTS descriptor, as CRIU's
     * {@code send_fd} sends it (64-bit Linux layout: msghdr 56 bytes, iovec 16, cmsghdr 16 before
     * its data). Package-private: the tests send one the way CRIU does.
     */
    static final class FdMessage {
        private static final int CMSG_LEN_ONE_FD = 20;
        final Pointer msg;
        private final Pointer control;

        FdMessage(jnr.ffi.Runtime rt, int controlCapacity) {
            msg = Memory.allocateDirect(rt, 56, true);
            Pointer iov = Memory.allocateDirect(rt, 16, true);
            Pointer data = Memory.allocateDirect(rt, 8, true);
            control = Memory.allocateDirect(rt, controlCapacity, true);
            iov.putAddress(0, data.address());
            iov.putLong(8, 1);
            msg.putAddress(16, iov.address());
            msg.putLong(24, 1);
            msg.putAddress(32, control.address());
            msg.putLong(40, controlCapacity);
        }

        /** Sets the message up to carry {@code fd}. */
        void carry(int fd) {
            msg.putLong(40, CMSG_LEN_ONE_FD);
            control.putLong(0, CMSG_LEN_ONE_FD);
            control.putInt(8, LibC.SOL_SOCKET);
            control.putInt(12, LibC.SCM_RIGHTS);
            control.putInt(16, fd);
        }

        long controlLength() {
            return msg.getLong(40);
        }

        /** The descriptor a received message carries, or -1 when it carries none. */
        int descriptor() {
            boolean rights = controlLength() >= CMSG_LEN_ONE_FD && control.getInt(8) == LibC.SOL_SOCKET
                    && control.getInt(12) == LibC.SCM_RIGHTS;
            return rights ? control.getInt(16) : -1;
        }
    }

    private static void closeFd(int fd) {
        if (fd >= 0) {
            LibC.get().close(fd);
        }
    }

    private static void join(Thread t, Duration timeout) {
        try {
            t.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "image streamer at " + socketPath;
    }
}
