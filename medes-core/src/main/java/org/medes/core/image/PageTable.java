package org.medes.core.image;

import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.medes.core.page.Mapping;
import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;

import java.util.List;

import static org.medes.core.image.DedupImageFormat.*;

/**
 * The page table of a dedup image as columns, one slot per page, and its coding as the page
 * table section of {@link DedupImageFormat} (entry stream, page checksums, base checksums).
 *
 * <p>Thread-safety: a writer fills distinct pages from any thread before encoding; a table
 * read from an image is not changed afterwards.
 */
final class PageTable {
    private static final LZ4SafeDecompressor UNLZ4 = LZ4Factory.fastestInstance().safeDecompressor();
    /** Highest page number of a 64-bit address space. */
    private static final long MAX_PAGE_NUMBER = -1L >>> PageSize.SHIFT;

    final int pageCount;
    final long[] vaddr;
    final long[] pageHash;
    final int[] baseHash;
    final int[] basePage;
    final int[] payloadLength;
    final short[] baseIndex;
    final byte[] kind;
    final byte[] codec;
    /**
     * Offset of each page's payload in the image's raw payload bytes (every block's raw bytes,
     * concatenated); filled when read from an image.
     */
    final long[] payloadOffset;
    /** Sum of the pages' payload lengths; filled when read from an image. */
    long payloadTotal;

    PageTable(int pageCount) {
        this.pageCount = pageCount;
        vaddr = new long[pageCount];
        pageHash = new long[pageCount];
        baseHash = new int[pageCount];
        basePage = new int[pageCount];
        payloadLength = new int[pageCount];
        baseIndex = new short[pageCount];
        kind = new byte[pageCount];
        codec = new byte[pageCount];
        payloadOffset = new long[pageCount];
    }

    /** Number of PATCH pages, each of which has a base checksum. */
    int patchCount() {
        int n = 0;
        for (byte k : kind) {
            if (k == PageKind.PATCH.code()) {
                n++;
            }
        }
        return n;
    }

    /** The page entries as the uncompressed entry stream of {@link DedupImageFormat}. */
    byte[] entryStream() {
        byte[] out = new byte[pageCount * MAX_ENTRY_BYTES];
        int n = 0;
        long previousPage = -1;
        int previousBasePage = -1;
        for (int p = 0; p < pageCount; p++) {
            PageKind k = PageKind.ofCode(kind[p]);
            out[n++] = kind[p];
            if (k == PageKind.PATCH) {
                out[n++] = codec[p];
            }
            long page = vaddr[p] >>> PageSize.SHIFT;
            n = putVarint(out, n, p == 0 ? page : page - previousPage - 1);
            previousPage = page;
            if (k == PageKind.SAME_AS_BASE || k == PageKind.PATCH) {
                n = putVarint(out, n, Short.toUnsignedInt(baseIndex[p]));
                int step = basePage[p] - (previousBasePage + 1);
                n = putVarint(out, n, Integer.toUnsignedLong((step << 1) ^ (step >> 31)));
                previousBasePage = basePage[p];
            }
            if (k == PageKind.PATCH || k == PageKind.LZ4 || k == PageKind.SHUFFLED_LZ4) {
                n = putVarint(out, n, Integer.toUnsignedLong(payloadLength[p]));
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static int putVarint(byte[] out, int n, long v) {
        while ((v & ~0x7FL) != 0) {
            out[n++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[n++] = (byte) v;
        return n;
    }

    /**
     * Reads and checks the page table section at {@code pageOffset} of the image at
     * {@code address}: every entry lies in a mapping and names an existing base (the caller checks
     * the payload lengths against the payload blocks).
     */
    static PageTable read(long address, String source, long pageOffset, long payloadStart, int pageCount,
                          List<Mapping> ms, int baseCount) throws DedupImageFormatException {
        PageTable t = new PageTable(pageCount);
        byte[] stream = entryStream(address, source, pageOffset, payloadStart, pageCount);
        EntryReader in = new EntryReader(source, pageOffset, stream);
        long running = 0;
        long previous = -1;
        int previousBasePage = -1;
        int mapping = 0;
        int patched = 0;
        for (int p = 0; p < pageCount; p++) {
            in.page = p;
            int code = in.u8();
            PageKind kind = PageKind.ofCode(code);
            if (kind == null) {
                throw in.error("unknown page kind " + code);
            }
            t.kind[p] = (byte) code;
            if (kind == PageKind.PATCH) {
                t.codec[p] = (byte) in.u8();
                patched++;
            }
            long step = in.varint();
            long page = p == 0 ? step : previous + 1 + step;
            if (Long.compareUnsigned(step, MAX_PAGE_NUMBER) > 0 || Long.compareUnsigned(page, MAX_PAGE_NUMBER) > 0) {
                throw in.error("page number past the address space (step " + Long.toUnsignedString(step) + ")");
            }
            long va = page << PageSize.SHIFT;
            while (mapping < ms.size() && Long.compareUnsigned(ms.get(mapping).end(), va) <= 0) {
                mapping++;
            }
            if (mapping >= ms.size() || !ms.get(mapping).contains(va)) {
                throw in.error("address 0x" + Long.toHexString(va) + " lies in no mapping");
            }
            t.vaddr[p] = va;
            previous = page;
            int len = 0;
            if (kind == PageKind.SAME_AS_BASE || kind == PageKind.PATCH) {
                int bi = in.varint32("base index");
                if (bi >= baseCount) {
                    throw in.error("base index " + bi + " but the image lists " + baseCount + " bases");
                }
                t.baseIndex[p] = (short) bi;
                int z = in.varint32("base page step");
                long bp = (long) previousBasePage + 1 + ((z >>> 1) ^ -(z & 1));
                if (bp < 0 || bp > Integer.MAX_VALUE) {
                    throw in.error("base page index " + bp + " out of range");
                }
                t.basePage[p] = (int) bp;
                previousBasePage = (int) bp;
            } else {
                t.baseIndex[p] = (short) NO_BASE;
            }
            switch (kind) {
                case PATCH, LZ4, SHUFFLED_LZ4 -> {
                    len = in.varint32("payload length");
                    if (len == 0) {
                        throw in.error("payload length 0 is impossible for a " + kind + " page");
                    }
                }
                case RAW, SHUFFLED -> len = PageSize.BYTES;
                case ZERO, SAME_AS_BASE -> len = 0;
            }
            t.payloadLength[p] = len;
            t.payloadOffset[p] = running;
            running += len;
        }
        t.payloadTotal = running;
        if (in.position != stream.length) {
            throw new DedupImageFormatException(source, pageOffset, "page table: " + (stream.length - in.position)
                    + " bytes of entry stream left after the last page");
        }
        long hashes = pageOffset + PAGE_TABLE_FIXED_BYTES + pad8(OffHeap.getInt(address + pageOffset + T_STORED_LENGTH));
        long baseHashes = hashes + (long) PAGE_HASH_BYTES * pageCount;
        long end = baseHashes + pad8((long) BASE_HASH_BYTES * patched);
        if (end != payloadStart) {
            throw new DedupImageFormatException(source, hashes, "page table: " + pageCount + " page checksums and " + patched
                    + " base checksums end at " + end + ", the payload starts at " + payloadStart);
        }
        for (int p = 0; p < pageCount; p++) {
            t.pageHash[p] = OffHeap.getLong(address + hashes + (long) p * PAGE_HASH_BYTES);
        }
        long o2 = baseHashes;
        for (int p = 0; p < pageCount; p++) {
            if (t.kind[p] == PageKind.PATCH.code()) {
                t.baseHash[p] = OffHeap.getInt(address + o2);
                o2 += BASE_HASH_BYTES;
            } else if (t.kind[p] == PageKind.SAME_AS_BASE.code()) {
                t.baseHash[p] = (int) t.pageHash[p];
            }
        }
        return t;
    }

    /** The page table's entry stream, decompressed and checked against its stated lengths. */
    private static byte[] entryStream(long address, String source, long pageOffset, long payloadStart, int pageCount)
            throws DedupImageFormatException {
        int streamLength = OffHeap.getInt(address + pageOffset + T_STREAM_LENGTH);
        int storedLength = OffHeap.getInt(address + pageOffset + T_STORED_LENGTH);
        if (streamLength < pageCount || streamLength > (long) pageCount * MAX_ENTRY_BYTES) {
            throw new DedupImageFormatException(source, pageOffset + T_STREAM_LENGTH, "page table: entry stream of "
                    + streamLength + " bytes is impossible for " + pageCount + " pages");
        }
        long storedEnd = pageOffset + PAGE_TABLE_FIXED_BYTES + (long) storedLength;
        if (storedLength <= 0 || storedEnd + (long) PAGE_HASH_BYTES * pageCount > payloadStart) {
            throw new DedupImageFormatException(source, pageOffset + T_STORED_LENGTH, "page table: compressed entry stream of "
                    + storedLength + " bytes runs past its section, which ends at " + payloadStart);
        }
        byte[] stored = new byte[storedLength];
        OffHeap.copyToArray(address + pageOffset + PAGE_TABLE_FIXED_BYTES, stored, 0, storedLength);
        byte[] stream = new byte[streamLength];
        int got;
        try {
            got = UNLZ4.decompress(stored, 0, storedLength, stream, 0, streamLength);
        } catch (LZ4Exception e) {
            throw new DedupImageFormatException(source, pageOffset + PAGE_TABLE_FIXED_BYTES, "page table: malformed LZ4 block ("
                    + e.getMessage() + ")");
        }
        if (got != streamLength) {
            throw new DedupImageFormatException(source, pageOffset + T_STREAM_LENGTH, "page table: entry stream decodes to "
                    + got + " bytes, header of the table says " + streamLength);
        }
        return stream;
    }

    /** Reads the entry stream with bounds checks; errors name the page being read and the stream position. */
    private static final class EntryReader {
        private final String source;
        private final long pageTable;
        private final byte[] b;
        int position;
        int page;

        EntryReader(String source, long pageTable, byte[] b) {
            this.source = source;
            this.pageTable = pageTable;
            this.b = b;
        }

        int u8() throws DedupImageFormatException {
            if (position >= b.length) {
                throw error("entry stream ends early (truncated page table)");
            }
            return b[position++] & 0xFF;
        }

        long varint() throws DedupImageFormatException {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int x = u8();
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw error("varint longer than 10 bytes");
        }

        int varint32(String what) throws DedupImageFormatException {
            long v = varint();
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw error(what + " " + Long.toUnsignedString(v) + " out of range");
            }
            return (int) v;
        }

        DedupImageFormatException error(String reason) {
            return new DedupImageFormatException(source, pageTable, "page " + page + " (byte " + position
                    + " of the page table's entry stream): " + reason);
        }
    }
}
