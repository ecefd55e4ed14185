package org.medes.criu.image;

/**
 * The first entry of {@code pagemap-PID.img}: which {@code pages-N.img} holds the pages
 * (CRIU {@code pagemap_head}: {@code required uint32 pages_id = 1}).
 *
 * @param pagesId the N of {@code pages-N.img}, unsigned
 * @param unknown fields this library does not interpret
 */
public record PagemapHead(int pagesId, UnknownFields unknown) {
    static final int PAGES_ID = 1;

    public PagemapHead {
        java.util.Objects.requireNonNull(unknown, "unknown");
    }

    public static PagemapHead of(int pagesId) {
        return new PagemapHead(pagesId, UnknownFields.NONE);
    }

    static PagemapHead decode(ProtoReader r) throws CriuImageFormatException {
        long at = r.offset();
        Integer pagesId = null;
        UnknownFields.Builder unknown = UnknownFields.builder();
        while (r.hasMore()) {
            int tag = r.readTag();
            if (ProtoReader.fieldNumber(tag) == PAGES_ID) {
                r.expect(tag, ProtoReader.VARINT, "pages_id");
                pagesId = r.readUint32();
            } else {
                r.keepUnknown(tag, unknown);
            }
        }
        if (pagesId == null) {
            throw ProtoReader.missing(r.file(), at, "pagemap_head", "pages_id");
        }
        return new PagemapHead(pagesId, unknown.build());
    }

    byte[] encode() {
        ProtoWriter w = new ProtoWriter(unknown);
        w.uint32(PAGES_ID, pagesId);
        return w.finish();
    }
}
