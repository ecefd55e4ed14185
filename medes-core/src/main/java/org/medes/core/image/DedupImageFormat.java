package org.medes.core.image;

/**
 * Byte layout of a dedup image, version 4. All integers little-endian; every section starts at
 * a multiple of 8. Version 2 replaced version 1's fixed 32-byte page-table entries with a
 * compressed table; version 3 groups the page payloads into blocks that may be compressed as a
 * whole (zstd); version 4 puts a block's SHUFFLED pages last, regrouped by byte place across the
 * block, so that zstd compresses each byte place of all of them as one stretch (0.1-0.8 points
 * more memory saved on the project's worker pairs). Images are not yet kept across versions, so a
 * reader accepts only its own version and refuses older ones as unsupported.
 *
 * <pre>
 * Header (88 bytes)
 *   0  8  magic "MEDESDI\0"
 *   8  2  version (4)
 *  10  2  flags (0)
 *  12  4  page size (4096)
 *  16  4  page count P
 *  20  4  mapping count M
 *  24  4  base count B
 *  28  4  id length L: UTF-8 bytes of the image id, stored at offset 88, zero-padded to 8
 *  32  8  mapping table offset
 *  40  8  base table offset
 *  48  8  page table offset
 *  56  8  payload offset
 *  64  8  payload length
 *  72  8  file length, trailer included
 *  80  8  metadata checksum: XXH3-64 of every byte from offset 0 to the end of the payload block
 *         table, these 8 bytes counted as zero. The trailer's checksum catches any change to the
 *         file; this one also catches a changed header, mapping, base, page or block table when
 *         the trailer was recomputed over it (a writer bug, a partial overwrite), where the
 *         per-page checksums would not: a page number or a mapping is no page content.
 *
 * Mapping table: M entries, each
 *   0  8  start address        8  8  length          16  8  file offset
 *  24  4  protection bits     28  4  name length N   32  N  name (UTF-8), zero-padded to 8
 *
 * Base table: B entries, each (the first is the image's primary base)
 *   0  4  base id    4  4  node    8  4  relocation count R    12  4  reserved (0)
 *  16  R x 24: relocation range start (8), end exclusive (8), delta (8)
 *
 * Page table (ends at the payload offset)
 *   0  4  entry stream length U, uncompressed
 *   4  4  entry stream length C, as stored
 *   8  C  entry stream, LZ4 block format, zero-padded to 8
 *      P x 8  XXH3-64 of each original page, in page order
 *      K x 4  low 32 bits of XXH3-64 of the base page, for each of the K PATCH pages in page
 *             order (a SAME_AS_BASE page's base page is its original page: its page checksum
 *             tells a changed base page), zero-padded to 8
 *
 * Entry stream: P entries in ascending address order; "v" is an unsigned LEB128 varint
 * (at most 10 bytes), "z" a zigzag-encoded v
 *   1  {@link PageKind} code: 0 zero, 1 same as base, 2 patch, 3 LZ4, 4 raw, 5 shuffled LZ4,
 *      6 shuffled
 *   1  patch codec id                             PATCH only
 *   v  page number (address / 4096): the first page's in full, then the step from the previous
 *      page minus one
 *   v  index into the base table                  SAME_AS_BASE and PATCH only
 *   z  base page index minus (previous such page's base page index + 1), starting from -1
 *                                                 SAME_AS_BASE and PATCH only
 *   v  payload length                             PATCH, LZ4 and SHUFFLED_LZ4 only (ZERO and
 *      SAME_AS_BASE have none, RAW and SHUFFLED 4096)
 *
 * Payload section (payload offset, payload length): the pages' payloads, concatenated in page
 * order, cut into blocks of whole pages; each block is stored as it is or compressed as a whole
 *   0  4  block count N
 *   4  4  reserved (0)
 *   8  N x 16, one entry a block, in page order:
 *      0  4  pages in the block (the blocks' pages add up to P)
 *      4  1  coding: 0 stored, 1 one zstd frame
 *      5  3  reserved (0)
 *      8  4  raw length: the block's payload bytes (its pages' payload lengths add up to it)
 *     12  4  stored length (equal to the raw length when stored)
 *      then the blocks' stored bytes, concatenated
 * A block's raw bytes are first the payloads of its pages other than SHUFFLED ones, in page
 * order (each at the running sum of the payload lengths of those before it), then the S
 * SHUFFLED pages' 4096 bytes regrouped: for each byte place j = 0..7, the 512 bytes of place j
 * (byte j of every word) of each SHUFFLED page in page order. Place j of the k-th SHUFFLED page
 * (from 0) is at (the other pages' payload bytes) + (j x S + k) x 512.
 *
 * Trailer (16 bytes)
 *   0  8  XXH3-64 of every byte before the trailer
 *   8  8  magic "MEDESEND"
 * </pre>
 *
 * <p>Thread-safety: constants only.
 */
public final class DedupImageFormat {
    public static final long MAGIC = 0x00_49_44_53_45_44_45_4DL;        // "MEDESDI\0" little-endian
    public static final long END_MAGIC = 0x44_4E_45_53_45_44_45_4DL;    // "MEDESEND" little-endian
    public static final int VERSION = 4;
    /** Bytes of one byte place of a SHUFFLED page: one byte of each of its 512 words. */
    public static final int SHUFFLED_PLACE_BYTES = 512;
    public static final int HEADER_BYTES = 88;
    public static final int TRAILER_BYTES = 16;
    /** Most bytes one entry of the entry stream takes: kind, codec, a 64-bit varint, three 32-bit ones. */
    public static final int MAX_ENTRY_BYTES = 1 + 1 + 10 + 5 + 5 + 5;
    public static final int PAGE_TABLE_FIXED_BYTES = 8;
    public static final int PAGE_HASH_BYTES = 8;
    public static final int BASE_HASH_BYTES = 4;
    public static final int MAPPING_FIXED_BYTES = 32;
    public static final int BASE_FIXED_BYTES = 16;
    public static final int RELOCATION_BYTES = 24;
    public static final int NO_BASE = 0xFFFF;
    public static final int BLOCK_TABLE_FIXED_BYTES = 8;
    public static final int BLOCK_ENTRY_BYTES = 16;
    /** Block coding: the payload bytes as they are. */
    public static final int BLOCK_STORED = 0;
    /** Block coding: one zstd frame that decodes to the raw length. */
    public static final int BLOCK_ZSTD = 1;
    /** Most pages one block may hold, so that a reader's block buffer stays bounded. */
    public static final int MAX_BLOCK_PAGES = 1024;

    // header fields
    static final int H_MAGIC = 0;
    static final int H_VERSION = 8;
    static final int H_FLAGS = 10;
    static final int H_PAGE_SIZE = 12;
    static final int H_PAGES = 16;
    static final int H_MAPPINGS = 20;
    static final int H_BASES = 24;
    static final int H_ID_LENGTH = 28;
    static final int H_MAPPING_OFFSET = 32;
    static final int H_BASE_OFFSET = 40;
    static final int H_PAGE_OFFSET = 48;
    static final int H_PAYLOAD_OFFSET = 56;
    static final int H_PAYLOAD_LENGTH = 64;
    static final int H_FILE_LENGTH = 72;
    static final int H_METADATA_CHECKSUM = 80;

    // page table fields
    static final int T_STREAM_LENGTH = 0;
    static final int T_STORED_LENGTH = 4;

    private DedupImageFormat() {
    }

    /** {@code n} rounded up to a multiple of 8. */
    static long pad8(long n) {
        return (n + 7) & ~7L;
    }
}
