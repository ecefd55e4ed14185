package org.medes.criu.image;

import java.util.List;
import java.util.Objects;

/**
 * The single entry of {@code mm-PID.img} (CRIU {@code mm_entry}), the parts this library needs:
 * <pre>
 *   required uint64 mm_start_code .. mm_env_end = 1..11;  (the layout words, in {@link #layout()})
 *   required uint32 exe_file_id                 = 12;
 *   repeated vma_entry vmas                     = 14;
 * </pre>
 * Everything else (saved auxv 13, dumpable 15, aios 16, thp_disabled 17, later fields) is kept
 * verbatim in {@code unknown}.
 *
 * @param layout    mm_start_code, mm_end_code, mm_start_data, mm_end_data, mm_start_stack,
 *                  mm_start_brk, mm_brk, mm_arg_start, mm_arg_end, mm_env_start, mm_env_end
 * @param exeFileId field 12, unsigned
 * @param vmas      the memory areas in file order (CRIU writes them by ascending address)
 * @param unknown   fields this library does not interpret
 */
public record MmEntry(List<Long> layout, int exeFileId, List<VmaEntry> vmas, UnknownFields unknown) {
    static final int LAYOUT_WORDS = 11;
    static final int EXE_FILE_ID = 12;
    static final int VMAS = 14;
    public static final int MM_START_CODE = 0;
    public static final int MM_START_BRK = 5;
    public static final int MM_BRK = 6;

    public MmEntry {
        layout = List.copyOf(layout);
        vmas = List.copyOf(vmas);
        Objects.requireNonNull(unknown, "unknown");
        if (layout.size() != LAYOUT_WORDS) {
            throw new IllegalArgumentException("mm layout has " + layout.size() + " words, not " + LAYOUT_WORDS);
        }
    }

    static MmEntry decode(ProtoReader r) throws CriuImageFormatException {
        long at = r.offset();
        Long[] layout = new Long[LAYOUT_WORDS];
        Integer exe = null;
        java.util.ArrayList<VmaEntry> vmas = new java.util.ArrayList<>();
        UnknownFields.Builder unknown = UnknownFields.builder();
        while (r.hasMore()) {
            int tag = r.readTag();
            int n = ProtoReader.fieldNumber(tag);
            if (n >= 1 && n <= LAYOUT_WORDS) {
                r.expect(tag, ProtoReader.VARINT, "mm layout word " + n);
                layout[n - 1] = r.readVarint();
            } else if (n == EXE_FILE_ID) {
                r.expect(tag, ProtoReader.VARINT, "exe_file_id");
                exe = r.readUint32();
            } else if (n == VMAS) {
                r.expect(tag, ProtoReader.LENGTH_DELIMITED, "vmas");
                vmas.add(VmaEntry.decode(r.readMessage()));
            } else {
                r.keepUnknown(tag, unknown);
            }
        }
        for (int i = 0; i < LAYOUT_WORDS; i++) {
            if (layout[i] == null) {
                throw ProtoReader.missing(r.file(), at, "mm_entry", "field " + (i + 1));
            }
        }
        if (exe == null) {
            throw ProtoReader.missing(r.file(), at, "mm_entry", "exe_file_id");
        }
        return new MmEntry(List.of(layout), exe, vmas, unknown.build());
    }

    byte[] encode() {
        ProtoWriter w = new ProtoWriter(unknown);
        for (int i = 0; i < LAYOUT_WORDS; i++) {
            w.uint64(i + 1, layout.get(i));
        }
        w.uint32(EXE_FILE_ID, exeFileId);
        for (VmaEntry v : vmas) {
            w.bytes(VMAS, v.encode());
        }
        return w.finish();
    }
}
