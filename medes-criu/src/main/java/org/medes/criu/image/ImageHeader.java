package org.medes.criu.image;

/**
 * Layout of a CRIU protobuf image file (CRIU 4.x, {@code criu/image.c}, {@code criu/protobuf.c},
 * {@code criu/include/magic.h}); all integers little-endian:
 * <pre>
 *   0               4               8
 *   +---------------+---------------+------------+-----------------+------------+---------
 *   | head magic    | type magic    | u32 size   | message (size B)| u32 size   | message ...
 *   +---------------+---------------+------------+-----------------+------------+---------
 * </pre>
 * The head magic is {@link #IMG_COMMON_MAGIC} ({@link #IMG_SERVICE_MAGIC} for the service files
 * stats and irmap-cache). {@code inventory.img} has no head magic: it starts with
 * {@link #INVENTORY_MAGIC}; so do all files of images whose inventory says img_version 1
 * ({@link InventoryEntry#CRTOOLS_IMAGES_V1}). The file ends after the last entry; there is no
 * count. {@code pages-N.img} is raw: no magic, 4096-byte pages back to back.
 *
 * <p>Thread-safety: constants only.
 */
public final class ImageHeader {
    public static final int IMG_COMMON_MAGIC = 0x54564319;
    public static final int IMG_SERVICE_MAGIC = 0x55105940;
    public static final int INVENTORY_MAGIC = 0x58313116;
    public static final int PSTREE_MAGIC = 0x50273030;
    public static final int PAGEMAP_MAGIC = 0x56084025;
    public static final int MM_MAGIC = 0x57492820;
    public static final int FILES_MAGIC = 0x56303138;
    /** Bytes of a magic and of an entry's size prefix. */
    public static final int U32_BYTES = 4;
    /** Largest entry file read whole into memory: CRIU's pagemap, mm and pstree files are far smaller. */
    public static final long MAX_ENTRY_FILE_BYTES = 1L << 30;

    private ImageHeader() {
    }

    /** The image files this library reads, with their type magic. */
    public enum Kind {
        INVENTORY("inventory", INVENTORY_MAGIC),
        PSTREE("pstree", PSTREE_MAGIC),
        PAGEMAP("pagemap", PAGEMAP_MAGIC),
        MM("mm", MM_MAGIC),
        FILES("files", FILES_MAGIC);

        private final String label;
        private final int magic;

        Kind(String label, int magic) {
            this.label = label;
            this.magic = magic;
        }

        public int magic() {
            return magic;
        }

        /** Whether files of this kind start with the head magic in an image of {@code imgVersion}. */
        public boolean hasHeadMagic(int imgVersion) {
            return this != INVENTORY && imgVersion != InventoryEntry.CRTOOLS_IMAGES_V1;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    static String hex(int magic) {
        return String.format("0x%08x", magic);
    }
}
