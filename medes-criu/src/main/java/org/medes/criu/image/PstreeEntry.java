package org.medes.criu.image;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One process of {@code pstree.img} (CRIU {@code pstree_entry}): {@code required uint32 pid = 1,
 * ppid = 2, pgid = 3, sid = 4; repeated uint32 threads = 5} (packed or not on read, not packed on
 * write, as protobuf-c writes proto2).
 *
 * @param pid     process id in its pid namespace (the N of {@code mm-N.img}, {@code pagemap-N.img})
 * @param threads thread ids, unsigned
 * @param unknown fields this library does not interpret
 */
public record PstreeEntry(int pid, int ppid, int pgid, int sid, List<Integer> threads, UnknownFields unknown) {
    public PstreeEntry {
        threads = List.copyOf(threads);
        Objects.requireNonNull(unknown, "unknown");
    }

    /** A single-threaded process. */
    public static PstreeEntry of(int pid, int ppid) {
        return new PstreeEntry(pid, ppid, pid, pid, List.of(pid), UnknownFields.NONE);
    }

    static PstreeEntry decode(ProtoReader r) throws CriuImageFormatException {
        long at = r.offset();
        int[] req = new int[5];
        int seen = 0;
        List<Integer> threads = new ArrayList<>();
        UnknownFields.Builder unknown = UnknownFields.builder();
        while (r.hasMore()) {
            int tag = r.readTag();
            int n = ProtoReader.fieldNumber(tag);
            if (n >= 1 && n <= 4) {
                r.expect(tag, ProtoReader.VARINT, NAMES[n]);
                req[n] = r.readUint32();
                seen |= 1 << n;
            } else if (n == 5) {
                if (ProtoReader.wireType(tag) == ProtoReader.LENGTH_DELIMITED) {
                    ProtoReader packed = r.readMessage();
                    while (packed.hasMore()) {
                        threads.add(packed.readUint32());
                    }
                } else {
                    r.expect(tag, ProtoReader.VARINT, "threads");
                    threads.add(r.readUint32());
                }
            } else {
                r.keepUnknown(tag, unknown);
            }
        }
        for (int n = 1; n <= 4; n++) {
            if ((seen & (1 << n)) == 0) {
                throw ProtoReader.missing(r.file(), at, "pstree_entry", NAMES[n]);
            }
        }
        return new PstreeEntry(req[1], req[2], req[3], req[4], threads, unknown.build());
    }

    private static final String[] NAMES = {"", "pid", "ppid", "pgid", "sid"};

    byte[] encode() {
        ProtoWriter w = new ProtoWriter(unknown);
        w.uint32(1, pid);
        w.uint32(2, ppid);
        w.uint32(3, pgid);
        w.uint32(4, sid);
        for (int t : threads) {
            w.uint32(5, t);
        }
        return w.finish();
    }
}
