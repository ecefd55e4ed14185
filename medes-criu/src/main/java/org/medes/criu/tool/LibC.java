package org.medes.criu.tool;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * The few libc calls {@code criu swrk} needs that Java has no API for: a SOCK_SEQPACKET
 * socketpair, a directory file descriptor, and spawning a child that inherits one chosen
 * descriptor (Java's {@code ProcessBuilder} closes every descriptor but stdio). Linux x86_64 /
 * aarch64 glibc constants. Loaded once, lazily, by {@link #get()}. Public only because jnr-ffi
 * generates its implementation in another class loader; not part of the API.
 */
public interface LibC {
    int AF_UNIX = 1;
    int SOCK_SEQPACKET = 5;
    int SOCK_CLOEXEC = 0x80000;
    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_CREAT = 0x40;
    int O_TRUNC = 0x200;
    int O_EXCL = 0x80;
    int O_DIRECTORY = 0x10000;
    int O_CLOEXEC = 0x80000;
    int MSG_TRUNC = 0x20;
    int MSG_NOSIGNAL = 0x4000;
    int MSG_DONTWAIT = 0x40;
    short POLLIN = 0x1;
    int WNOHANG = 1;
    int SIGKILL = 9;
    int EINTR = 4;
    int SOCK_STREAM = 1;
    int SOL_SOCKET = 1;
    int SCM_RIGHTS = 1;
    int MSG_CMSG_CLOEXEC = 0x40000000;
    int F_SETPIPE_SZ = 1031;
    int EAGAIN = 11;
    int EPIPE = 32;
    /** Bytes of {@code struct sockaddr_un}: a 2-byte family and a 108-byte path. */
    int SOCKADDR_UN_BYTES = 110;
    /** Bytes of glibc's {@code posix_spawn_file_actions_t} (80 on 64-bit), rounded up. */
    int FILE_ACTIONS_BYTES = 128;

    @SaveError
    int socketpair(int domain, int type, int protocol, @Out int[] fds);

    @SaveError
    int close(int fd);

    @SaveError
    int open(String path, int flags, int mode);

    @SaveError
    long send(int fd, @In byte[] buf, long len, int flags);

    @SaveError
    long recv(int fd, @Out byte[] buf, long len, int flags);

    @SaveError
    int socket(int domain, int type, int protocol);

    /** {@code addr} points at a {@code struct sockaddr_un}. */
    @SaveError
    int bind(int fd, Pointer addr, int addrLength);

    @SaveError
    int listen(int fd, int backlog);

    @SaveError
    int shutdown(int fd, int how);

    @SaveError
    int accept4(int fd, Pointer addr, Pointer addrLength, int flags);

    /** {@code msg} points at a {@code struct msghdr} (56 bytes on 64-bit Linux). */
    @SaveError
    long recvmsg(int fd, Pointer msg, int flags);

    @SaveError
    long write(int fd, Pointer buf, long len);

    @SaveError
    int fcntl(int fd, int cmd, int arg);

    /** The client side of the image streamer's socket (its tests play CRIU). */
    @SaveError
    int connect(int fd, Pointer addr, int addrLength);

    @SaveError
    long sendmsg(int fd, Pointer msg, int flags);

    @SaveError
    int pipe(@Out int[] fds);

    @SaveError
    long read(int fd, @Out byte[] buf, long len);

    /** {@code iov} points at {@code nrSegs} {@code struct iovec {void *base; size_t len;}} records. */
    @SaveError
    long vmsplice(int fd, Pointer iov, long nrSegs, int flags);

    /** {@code fds} points at {@code struct pollfd {int fd; short events; short revents;}} records. */
    @SaveError
    int poll(Pointer fds, long nfds, int timeoutMillis);

    int posix_spawn_file_actions_init(Pointer actions);

    int posix_spawn_file_actions_destroy(Pointer actions);

    int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

    int posix_spawn_file_actions_addopen(Pointer actions, int fd, String path, int flags, int mode);

    /** glibc &gt;= 2.34: closes every descriptor from {@code from} up in the child. */
    int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

    /** Returns an errno value (0 on success), not -1. */
    int posix_spawn(@Out int[] pid, String path, Pointer actions, Pointer attr, @In String[] argv,
                    @In String[] envp);

    @SaveError
    int waitpid(int pid, @Out int[] status, int options);

    @SaveError
    int kill(int pid, int signal);

    /** {@code prctl} option: orphaned descendants are re-parented to the caller, which must reap them. */
    int PR_SET_CHILD_SUBREAPER = 36;

    @SaveError
    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    int O_RDWR = 2;
    /** {@code O_TMPFILE} ({@code __O_TMPFILE | O_DIRECTORY}): an unnamed file in a directory's file system. */
    int O_TMPFILE = "aarch64".equals(System.getProperty("os.arch")) ? 0x404000 : 0x410000;
    int PROT_READ = 1;
    int PROT_WRITE = 2;
    int MAP_SHARED = 1;
    long MAP_FAILED = -1;

    @SaveError
    int ftruncate(int fd, long length);

    /** Returns {@link #MAP_FAILED} as the pointer's address on failure; a {@code long} address argument is refused (EINVAL) through jnr-ffi. */
    @SaveError
    Pointer mmap(Pointer address, long length, int prot, int flags, int fd, long offset);

    @SaveError
    int munmap(long address, long length);

    String strerror(int errno);

    /** The loaded library, or the reason it cannot be loaded. */
    static LibC get() {
        return Holder.LIBC;
    }

    /** The errno of the last {@link SaveError} call on this thread. */
    static int errno() {
        return jnr.ffi.Runtime.getRuntime(get()).getLastError();
    }

    /** {@code "what: strerror(errno) (errno N)"}. */
    static String describe(String what) {
        int e = errno();
        return what + ": " + get().strerror(e) + " (errno " + e + ")";
    }

    final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");

        private Holder() {
        }
    }
}
