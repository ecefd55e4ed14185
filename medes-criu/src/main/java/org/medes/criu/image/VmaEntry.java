package org.medes.criu.image;

import java.util.Objects;

/**
 * One memory area of a process, an element of {@code mm_entry.vmas} (CRIU {@code vma_entry}):
 * <pre>
 *   required uint64 start  = 1;   required uint64 end    = 2;
 *   required uint64 pgoff  = 3;   (byte offset in the backing file)
 *   required uint64 shmid  = 4;   (file id of a file mapping, shmem id of a shared one)
 *   required uint32 prot   = 5;   PROT_READ 1 | PROT_WRITE 2 | PROT_EXEC 4
 *   required uint32 flags  = 6;   MAP_SHARED 1 | MAP_PRIVATE 2 | MAP_ANONYMOUS 0x20 | ...
 *   required uint32 status = 7;   VMA_AREA_* bits, see the constants
 *   required sint64 fd     = 8;   unused, -1
 *   optional uint64 madv   = 9;   optional uint32 fdflags = 10;
 * </pre>
 *
 * @param madv    field 9, or null
 * @param fdflags field 10, or null
 * @param unknown fields this library does not interpret
 */
public record VmaEntry(long start, long end, long pgoff, long shmid, int prot, int flags, int status, long fd,
                       Long madv, Integer fdflags, UnknownFields unknown) {
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int PROT_EXEC = 4;
    public static final int MAP_SHARED = 1;
    public static final int MAP_PRIVATE = 2;
    public static final int MAP_ANONYMOUS = 0x20;

    /** VMA status bits (criu/include/image.h). */
    public static final int VMA_AREA_REGULAR = 1;
    public static final int VMA_AREA_STACK = 1 << 1;
    public static final int VMA_AREA_VSYSCALL = 1 << 2;
    public static final int VMA_AREA_VDSO = 1 << 3;
    public static final int VMA_AREA_HEAP = 1 << 5;
    public static final int VMA_FILE_PRIVATE = 1 << 6;
    public static final int VMA_FILE_SHARED = 1 << 7;
    public static final int VMA_ANON_SHARED = 1 << 8;
    public static final int VMA_ANON_PRIVATE = 1 << 9;
    public static final int VMA_AREA_SYSVIPC = 1 << 10;
    public static final int VMA_AREA_SOCKET = 1 << 11;
    public static final int VMA_AREA_VVAR = 1 << 12;
    public static final int VMA_AREA_AIORING = 1 << 13;
    public static final int VMA_AREA_MEMFD = 1 << 14;

    public VmaEntry {
        Objects.requireNonNull(unknown, "unknown");
    }

    /** A private anonymous read-write area as CRIU records it. */
    public static VmaEntry anonymous(long start, long end) {
        return new VmaEntry(start, end, 0, 0, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                VMA_AREA_REGULAR | VMA_ANON_PRIVATE, -1, null, null, UnknownFields.NONE);
    }

    public long length() {
        return end - start;
    }

    public boolean contains(long address) {
        return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
    }

    static VmaEntry decode(ProtoReader r) throws CriuImageFormatException {
        long at = r.offset();
        long[] req = new long[9];
        int seen = 0;
        Long madv = null;
        Integer fdflags = null;
        UnknownFields.Builder unknown = UnknownFields.builder();
        while (r.hasMore()) {
            int tag = r.readTag();
            int n = ProtoReader.fieldNumber(tag);
            if (n >= 1 && n <= 8) {
                r.expect(tag, ProtoReader.VARINT, FIELD_NAMES[n]);
                req[n] = n == 8 ? r.readSint64() : n >= 5 ? r.readUint32() & 0xffffffffL : r.readVarint();
                seen |= 1 << n;
            } else if (n == 9) {
                r.expect(tag, ProtoReader.VARINT, "madv");
                madv = r.readVarint();
            } else if (n == 10) {
                r.expect(tag, ProtoReader.VARINT, "fdflags");
                fdflags = r.readUint32();
            } else {
                r.keepUnknown(tag, unknown);
            }
        }
        for (int n = 1; n <= 8; n++) {
            if ((seen & (1 << n)) == 0) {
                throw ProtoReader.missing(r.file(), at, "vma_entry", FIELD_NAMES[n]);
            }
        }
        return new VmaEntry(req[1], req[2], req[3], req[4], (int) req[5], (int) req[6], (int) req[7], req[8],
                madv, fdflags, unknown.build());
    }

    private static final String[] FIELD_NAMES = {"", "start", "end", "pgoff", "shmid", "prot", "flags", "status", "fd"};

    byte[] encode() {
        ProtoWriter w = new ProtoWriter(unknown);
        w.uint64(1, start);
        w.uint64(2, end);
        w.uint64(3, pgoff);
        w.uint64(4, shmid);
        w.uint32(5, prot);
        w.uint32(6, flags);
        w.uint32(7, status);
        w.sint64(8, fd);
        if (madv != null) {
            w.uint64(9, madv);
        }
        if (fdflags != null) {
            w.uint32(10, fdflags);
        }
        return w.finish();
    }

    @Override
    public String toString() {
        return String.format("VmaEntry[%x-%x prot=%d flags=0x%x status=0x%x pgoff=%d shmid=%d]", start, end, prot,
                flags, status, pgoff, shmid);
    }
}
