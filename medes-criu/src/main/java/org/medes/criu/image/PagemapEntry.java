package org.medes.criu.image;

import java.util.Objects;

/**
 * One run of pages in {@code pagemap-PID.img} (CRIU {@code pagemap_entry}):
 * <pre>
 *   required uint64 vaddr           = 1;  first page address
 *   required uint32 compat_nr_pages = 2;  page count (CRIU 4.1 writes only this; later CRIU writes 0)
 *   optional bool   in_parent       = 3;  old images: pages are in the parent
 *   optional uint32 flags           = 4;  PE_PARENT | PE_LAZY | PE_PRESENT
 *   optional uint64 nr_pages        = 5;  page count
 * </pre>
 * Absent optional fields are null. {@link #flagsEffective()} and {@link #pageCount()} read the
 * entry as CRIU does ({@code criu/pagemap.c}): {@code in_parent} adds PE_PARENT, no flags at
 * all means PE_PRESENT, no {@code nr_pages} means {@code compat_nr_pages}.
 *
 * @param vaddr         first virtual address
 * @param compatNrPages field 2, unsigned
 * @param inParent      field 3, or null
 * @param flags         field 4, or null
 * @param nrPages       field 5, or null
 * @param unknown       fields this library does not interpret
 */
public record PagemapEntry(long vaddr, int compatNrPages, Boolean inParent, Integer flags, Long nrPages,
                           UnknownFields unknown) {
    /** The pages live in the parent image (criu/include/pagemap.h). */
    public static final int PE_PARENT = 1;
    /** The pages may be restored lazily. */
    public static final int PE_LAZY = 1 << 1;
    /** The pages are in this image's {@code pages-N.img}. */
    public static final int PE_PRESENT = 1 << 2;

    static final int VADDR = 1;
    static final int COMPAT_NR_PAGES = 2;
    static final int IN_PARENT = 3;
    static final int FLAGS = 4;
    static final int NR_PAGES = 5;

    public PagemapEntry {
        Objects.requireNonNull(unknown, "unknown");
    }

    /**
     * An entry that every CRIU 4.x reads the same: the page count in {@code nr_pages} (what newer
     * CRIU writes and reads first) and, when it fits, in {@code compat_nr_pages} too, which CRIU
     * 4.1 writes and reads instead (it knows no field 5; an entry with compat 0 is empty to it).
     */
    public static PagemapEntry of(long vaddr, long nrPages, int flags) {
        int compat = nrPages >= 0 && nrPages <= 0xffffffffL ? (int) nrPages : 0;
        return new PagemapEntry(vaddr, compat, null, flags, nrPages, UnknownFields.NONE);
    }

    /** Number of pages, as CRIU reads it (unsigned). */
    public long pageCount() {
        return nrPages != null ? nrPages : compatNrPages & 0xffffffffL;
    }

    /** Flags as CRIU reads them. */
    public int flagsEffective() {
        if (inParent != null && inParent) {
            return (flags == null ? 0 : flags) | PE_PARENT;
        }
        return flags == null ? PE_PRESENT : flags;
    }

    public boolean present() {
        return (flagsEffective() & PE_PRESENT) != 0;
    }

    public boolean inParentImage() {
        return (flagsEffective() & PE_PARENT) != 0;
    }

    public boolean lazy() {
        return (flagsEffective() & PE_LAZY) != 0;
    }

    /**
     * An entry at {@code newVaddr} with {@code newNrPages} pages and {@code newFlags}, written as
     * {@link #of} writes it, keeping this one's unknown fields.
     */
    public PagemapEntry with(long newVaddr, long newNrPages, int newFlags) {
        PagemapEntry e = of(newVaddr, newNrPages, newFlags);
        return new PagemapEntry(e.vaddr, e.compatNrPages, null, e.flags, e.nrPages, unknown);
    }

    static PagemapEntry decode(ProtoReader r) throws CriuImageFormatException {
        long at = r.offset();
        Long vaddr = null;
        Integer compat = null;
        Boolean inParent = null;
        Integer flags = null;
        Long nrPages = null;
        UnknownFields.Builder unknown = UnknownFields.builder();
        while (r.hasMore()) {
            int tag = r.readTag();
            switch (ProtoReader.fieldNumber(tag)) {
                case VADDR -> {
                    r.expect(tag, ProtoReader.VARINT, "vaddr");
                    vaddr = r.readVarint();
                }
                case COMPAT_NR_PAGES -> {
                    r.expect(tag, ProtoReader.VARINT, "compat_nr_pages");
                    compat = r.readUint32();
                }
                case IN_PARENT -> {
                    r.expect(tag, ProtoReader.VARINT, "in_parent");
                    inParent = r.readBool();
                }
                case FLAGS -> {
                    r.expect(tag, ProtoReader.VARINT, "flags");
                    flags = r.readUint32();
                }
                case NR_PAGES -> {
                    r.expect(tag, ProtoReader.VARINT, "nr_pages");
                    nrPages = r.readVarint();
                }
                default -> r.keepUnknown(tag, unknown);
            }
        }
        if (vaddr == null) {
            throw ProtoReader.missing(r.file(), at, "pagemap_entry", "vaddr");
        }
        if (compat == null) {
            throw ProtoReader.missing(r.file(), at, "pagemap_entry", "compat_nr_pages");
        }
        return new PagemapEntry(vaddr, compat, inParent, flags, nrPages, unknown.build());
    }

    byte[] encode() {
        ProtoWriter w = new ProtoWriter(unknown);
        w.uint64(VADDR, vaddr);
        w.uint32(COMPAT_NR_PAGES, compatNrPages);
        if (inParent != null) {
            w.bool(IN_PARENT, inParent);
        }
        if (flags != null) {
            w.uint32(FLAGS, flags);
        }
        if (nrPages != null) {
            w.uint64(NR_PAGES, nrPages);
        }
        return w.finish();
    }

    @Override
    public String toString() {
        return String.format("PagemapEntry[%x x%d flags=%d]", vaddr, pageCount(), flagsEffective());
    }
}
