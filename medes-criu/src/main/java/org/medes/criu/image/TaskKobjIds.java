package org.medes.criu.image;

import java.util.Objects;

/**
 * The kernel object ids of a task (CRIU {@code task_kobj_ids_entry}): {@code required uint32
 * vm_id = 1, files_id = 2, fs_id = 3, sighand_id = 4}; the namespace ids (5..12, optional) are
 * kept verbatim in {@code unknown}.
 */
public record TaskKobjIds(int vmId, int filesId, int fsId, int sighandId, UnknownFields unknown) {
    private static final String[] NAMES = {"", "vm_id", "files_id", "fs_id", "sighand_id"};

    public TaskKobjIds {
        Objects.requireNonNull(unknown, "unknown");
    }

    static TaskKobjIds decode(ProtoReader r) throws CriuImageFormatException {
        long at = r.offset();
        int[] v = new int[5];
        int seen = 0;
        UnknownFields.Builder unknown = UnknownFields.builder();
        while (r.hasMore()) {
            int tag = r.readTag();
            int n = ProtoReader.fieldNumber(tag);
            if (n >= 1 && n <= 4) {
                r.expect(tag, ProtoReader.VARINT, NAMES[n]);
                v[n] = r.readUint32();
                seen |= 1 << n;
            } else {
                r.keepUnknown(tag, unknown);
            }
        }
        for (int n = 1; n <= 4; n++) {
            if ((seen & (1 << n)) == 0) {
                throw ProtoReader.missing(r.file(), at, "task_kobj_ids_entry", NAMES[n]);
            }
        }
        return new TaskKobjIds(v[1], v[2], v[3], v[4], unknown.build());
    }

    byte[] encode() {
        ProtoWriter w = new ProtoWriter(unknown);
        w.uint32(1, vmId);
        w.uint32(2, filesId);
        w.uint32(3, fsId);
        w.uint32(4, sighandId);
        return w.finish();
    }
}
