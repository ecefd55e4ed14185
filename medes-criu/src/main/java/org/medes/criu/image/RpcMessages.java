package org.medes.criu.image;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The messages of CRIU's RPC ({@code criu swrk} / {@code criu service}), from CRIU's documented
 * {@code rpc.proto}; they share the protobuf wire format of the image files, so the same strict
 * reader and writer serve. Only the fields Medes sends or reads are known here; any other field of
 * a response is skipped.
 *
 * <pre>
 * criu_req  { 1 type: enum (DUMP = 1, RESTORE = 2, CHECK = 3, VERSION = 10)   required
 *             2 opts: criu_opts }
 * criu_opts { 1 images_dir_fd: int32 (a descriptor of the caller)   required
 *             2 pid: int32          3 leave_running: bool   4 ext_unix_sk: bool
 *             5 tcp_established: bool                       7 shell_job: bool
 *             9 log_level: int32 (default 2)               10 log_file: string (in the images dir) }
 * criu_resp { 1 type: enum   required        2 success: bool   required
 *             3 dump: { 1 restored: bool }   4 restore: { 1 pid: int32 required }
 *             7 cr_errno: int32              9 cr_errmsg: string }
 * </pre>
 *
 * Thread-safety: stateless; the records are immutable.
 */
public final class RpcMessages {
    /** criu_req_type values used here. */
    public static final int DUMP = 1;
    public static final int RESTORE = 2;
    public static final int CHECK = 3;
    public static final int VERSION = 10;

    private RpcMessages() {
    }

    /**
     * The options of one request. {@code pid} &lt;= 0 and {@code logLevel} &lt; 0 leave the field
     * out; {@code logFile} may be null.
     */
    public record Options(int imagesDirFd, int pid, boolean leaveRunning, boolean shellJob, boolean extUnixSk,
                          boolean tcpEstablished, int logLevel, String logFile) {
        /** Images in {@code imagesDirFd}, the log written to {@code logFile} there at CRIU's default level. */
        public static Options of(int imagesDirFd, String logFile) {
            return new Options(imagesDirFd, 0, false, false, false, false, -1, logFile);
        }

        public Options withPid(int pid) {
            return new Options(imagesDirFd, pid, leaveRunning, shellJob, extUnixSk, tcpEstablished, logLevel, logFile);
        }

        public Options withLeaveRunning(boolean leave) {
            return new Options(imagesDirFd, pid, leave, shellJob, extUnixSk, tcpEstablished, logLevel, logFile);
        }
    }

    /** A criu_req of {@code type} with {@code options} (null for none). */
    public static byte[] request(int type, Options options) {
        ProtoWriter w = new ProtoWriter();
        w.uint32(1, type);
        if (options != null) {
            w.bytes(2, encode(options));
        }
        return w.finish();
    }

    private static byte[] encode(Options o) {
        ProtoWriter w = new ProtoWriter();
        w.int32(1, o.imagesDirFd());
        if (o.pid() > 0) {
            w.int32(2, o.pid());
        }
        if (o.leaveRunning()) {
            w.bool(3, true);
        }
        if (o.extUnixSk()) {
            w.bool(4, true);
        }
        if (o.tcpEstablished()) {
            w.bool(5, true);
        }
        if (o.shellJob()) {
            w.bool(7, true);
        }
        if (o.logLevel() >= 0) {
            w.int32(9, o.logLevel());
        }
        if (o.logFile() != null) {
            w.bytes(10, o.logFile().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return w.finish();
    }

    /**
     * A decoded criu_resp. {@code restoredPid} is the restore answer's pid, or -1; {@code crErrno}
     * is 0 and {@code crErrmsg} null when CRIU sent none.
     */
    public record Response(int type, boolean success, int restoredPid, boolean dumpRestored, int crErrno,
                           String crErrmsg) {
        /** CRIU's own account of a failure ("errno N (text): message"), or "" when it gave none. */
        public String criuSays() {
            StringBuilder b = new StringBuilder();
            if (crErrno != 0) {
                b.append("cr_errno ").append(crErrno);
            }
            if (crErrmsg != null && !crErrmsg.isEmpty()) {
                b.append(b.length() > 0 ? ", " : "").append("cr_errmsg '").append(crErrmsg.strip()).append('\'');
            }
            return b.toString();
        }
    }

    /**
     * Decodes a criu_resp.
     *
     * @param source names the response in errors (for example "criu swrk 123's answer to DUMP")
     * @throws CriuImageFormatException naming {@code source}, the byte offset in the message and the
     *     reason: malformed wire format, a known field of the wrong wire type, a required field
     *     missing
     */
    public static Response decodeResponse(byte[] msg, String source) throws CriuImageFormatException {
        Objects.requireNonNull(msg, "msg");
        Path label = Path.of(Objects.requireNonNull(source, "source"));
        ProtoReader r = new ProtoReader(msg, 0, msg.length, label, 0);
        Integer type = null;
        Boolean success = null;
        int pid = -1;
        boolean restored = false;
        int errno = 0;
        String errmsg = null;
        while (r.hasMore()) {
            int tag = r.readTag();
            switch (ProtoReader.fieldNumber(tag)) {
                case 1 -> {
                    r.expect(tag, ProtoReader.VARINT, "criu_resp.type");
                    type = r.readUint32();
                }
                case 2 -> {
                    r.expect(tag, ProtoReader.VARINT, "criu_resp.success");
                    success = r.readBool();
                }
                case 3 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "criu_resp.dump");
                    ProtoReader d = r.readMessage();
                    while (d.hasMore()) {
                        int t = d.readTag();
                        if (ProtoReader.fieldNumber(t) == 1) {
                            d.expect(t, ProtoReader.VARINT, "criu_dump_resp.restored");
                            restored = d.readBool();
                        } else {
                            d.skipValue(t);
                        }
                    }
                }
                case 4 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "criu_resp.restore");
                    long at = r.offset();
                    ProtoReader d = r.readMessage();
                    pid = -1;
                    while (d.hasMore()) {
                        int t = d.readTag();
                        if (ProtoReader.fieldNumber(t) == 1) {
                            d.expect(t, ProtoReader.VARINT, "criu_restore_resp.pid");
                            pid = d.readUint32();
                        } else {
                            d.skipValue(t);
                        }
                    }
                    if (pid <= 0) {
                        throw new CriuImageFormatException(label, at, "criu_restore_resp lacks a positive pid (was "
                                + pid + ")");
                    }
                }
                case 7 -> {
                    r.expect(tag, ProtoReader.VARINT, "criu_resp.cr_errno");
                    errno = r.readUint32();
                }
                case 9 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "criu_resp.cr_errmsg");
                    errmsg = new String(r.readBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
                default -> r.skipValue(tag);
            }
        }
        if (type == null) {
            throw ProtoReader.missing(label, 0, "criu_resp", "type (1)");
        }
        if (success == null) {
            throw ProtoReader.missing(label, 0, "criu_resp", "success (2)");
        }
        return new Response(type, success, pid, restored, errno, errmsg);
    }
}
