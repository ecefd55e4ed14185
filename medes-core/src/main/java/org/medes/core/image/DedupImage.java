package org.medes.core.image;

import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.hashing.LongHashFunction;
import org.medes.core.page.Mapping;
import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;
import org.medes.core.patch.PointerRelocation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.medes.core.image.DedupImageFormat.*;

/**
 * What a deduplicated sandbox keeps: a validated dedup image ({@link DedupImageFormat}) held
 * off-heap. Opening checks the whole-file checksum and every length and offset, so a truncated,
 * corrupt or foreign file is refused with the offset and the reason; restore then checks every
 * page against its own checksum.
 *
 * <p>Thread-safety: immutable; concurrent readers are safe. {@link #close()} frees the memory
 * and must not race with readers.
 */
public final class DedupImage implements AutoCloseable {
    private final BytesStore<?, Void> store;
    private final long address;
    private final long length;
    private final String source;
    private final String id;
    private final List<Mapping> mappings;
    private final List<BaseUse> bases;
    private final int pageCount;
    private final PageTable table;
    /** Payload blocks: first page (one more entry, = page count), coding, raw and stored lengths, stored address offset. */
    private final int[] blockFirstPage;
    private final byte[] blockCoding;
    private final int[] blockRaw;
    private final int[] blockStored;
    private final long[] blockOffset;
    /** Block of each page, and its payload's offset in the block's raw bytes. */
    private final int[] pageBlock;
    private final int[] pageOffsetInBlock;
    /** Per block: distance between a SHUFFLED page's byte places, 512 x its SHUFFLED pages. */
    private final int[] blockLaneStride;
    private volatile boolean closed;

    private DedupImage(BytesStore<?, Void> store, long length, String source) throws DedupImageFormatException {
        this.store = store;
        this.address = store.addressForRead(0);
        this.length = length;
        this.source = source;
        if (length < HEADER_BYTES + TRAILER_BYTES) {
            throw new DedupImageFormatException(source, -1, "truncated: " + length + " bytes, a dedup image has at least "
                    + (HEADER_BYTES + TRAILER_BYTES));
        }
        long magic = OffHeap.getLong(address);
        if (magic != MAGIC) {
            throw new DedupImageFormatException(source, 0, "not a Medes dedup image (magic 0x" + Long.toHexString(magic) + ")");
        }
        int version = Short.toUnsignedInt(OffHeap.getShort(address + H_VERSION));
        if (version != VERSION) {
            throw new DedupImageFormatException(source, H_VERSION, "unsupported version " + version + " (this library reads "
                    + VERSION + ")");
        }
        long fileLength = OffHeap.getLong(address + H_FILE_LENGTH);
        if (fileLength != length) {
            throw new DedupImageFormatException(source, H_FILE_LENGTH, (fileLength > length ? "truncated" : "trailing bytes")
                    + ": header says " + fileLength + " bytes, found " + length);
        }
        long trailer = length - TRAILER_BYTES;
        if (OffHeap.getLong(address + trailer + 8) != END_MAGIC) {
            throw new DedupImageFormatException(source, trailer + 8, "end marker missing (truncated or overwritten)");
        }
        long expected = OffHeap.getLong(address + trailer);
        long actual = LongHashFunction.xx3().hashMemory(address, trailer);
        if (expected != actual) {
            throw new DedupImageFormatException(source, trailer, "file checksum mismatch: stored 0x" + Long.toHexString(expected)
                    + ", computed 0x" + Long.toHexString(actual) + " (corrupt)");
        }
        checkMetadata(trailer);
        int pageSize = OffHeap.getInt(address + H_PAGE_SIZE);
        if (pageSize != PageSize.BYTES) {
            throw new DedupImageFormatException(source, H_PAGE_SIZE, "page size " + pageSize + " is not " + PageSize.BYTES);
        }
        pageCount = nonNegative(H_PAGES, "page count");
        int mappingCount = nonNegative(H_MAPPINGS, "mapping count");
        int baseCount = nonNegative(H_BASES, "base count");
        int idLength = nonNegative(H_ID_LENGTH, "id length");
        long mappingOffset = section(H_MAPPING_OFFSET, HEADER_BYTES + pad8(idLength), trailer);
        long baseOffset = section(H_BASE_OFFSET, mappingOffset, trailer);
        long pageOffset = section(H_PAGE_OFFSET, baseOffset, trailer);
        long payloadStart = section(H_PAYLOAD_OFFSET, pageOffset, trailer);
        long payloadLength = OffHeap.getLong(address + H_PAYLOAD_LENGTH);
        if (payloadStart - pageOffset < PAGE_TABLE_FIXED_BYTES + (long) PAGE_HASH_BYTES * pageCount) {
            throw new DedupImageFormatException(source, H_PAYLOAD_OFFSET, "page table of " + pageCount
                    + " entries does not fit between offsets " + pageOffset + " and " + payloadStart);
        }
        if (payloadLength < 0 || payloadStart + payloadLength > trailer) {
            throw new DedupImageFormatException(source, H_PAYLOAD_LENGTH, "payload of " + payloadLength
                    + " bytes runs past the end of the file");
        }
        // the counts size the lists below: each entry takes at least its fixed bytes of its section
        if ((long) mappingCount * MAPPING_FIXED_BYTES > baseOffset - mappingOffset) {
            throw new DedupImageFormatException(source, H_MAPPINGS, "mapping count " + mappingCount
                    + " does not fit the mapping section of " + (baseOffset - mappingOffset) + " bytes");
        }
        if ((long) baseCount * BASE_FIXED_BYTES > pageOffset - baseOffset) {
            throw new DedupImageFormatException(source, H_BASES, "base count " + baseCount
                    + " does not fit the base section of " + (pageOffset - baseOffset) + " bytes");
        }
        id = utf8(HEADER_BYTES, idLength, trailer);

        List<Mapping> ms = new ArrayList<>(mappingCount);
        long o = mappingOffset;
        for (int i = 0; i < mappingCount; i++) {
            need(o, MAPPING_FIXED_BYTES, baseOffset, "mapping " + i);
            int nameLength = OffHeap.getInt(address + o + 28);
            if (nameLength < 0) {
                throw new DedupImageFormatException(source, o + 28, "mapping " + i + " has a negative name length");
            }
            need(o + MAPPING_FIXED_BYTES, nameLength, baseOffset, "name of mapping " + i);
            try {
                Mapping m = new Mapping(OffHeap.getLong(address + o), OffHeap.getLong(address + o + 8),
                        OffHeap.getInt(address + o + 24), utf8(o + MAPPING_FIXED_BYTES, nameLength, baseOffset),
                        OffHeap.getLong(address + o + 16));
                if (!ms.isEmpty() && Long.compareUnsigned(m.start(), ms.get(ms.size() - 1).end()) < 0) {
                    throw new IllegalArgumentException("mapping overlaps or precedes the one before it");
                }
                ms.add(m);
            } catch (IllegalArgumentException e) {
                throw new DedupImageFormatException(source, o, "mapping " + i + ": " + e.getMessage());
            }
            o += MAPPING_FIXED_BYTES + pad8(nameLength);
        }
        mappings = Collections.unmodifiableList(ms);

        List<BaseUse> bs = new ArrayList<>(baseCount);
        o = baseOffset;
        for (int i = 0; i < baseCount; i++) {
            need(o, BASE_FIXED_BYTES, pageOffset, "base " + i);
            int base = OffHeap.getInt(address + o);
            int node = OffHeap.getInt(address + o + 4);
            int n = OffHeap.getInt(address + o + 8);
            if (n < 0) {
                throw new DedupImageFormatException(source, o + 8, "base " + i + " has a negative relocation count");
            }
            o += BASE_FIXED_BYTES;
            need(o, (long) n * RELOCATION_BYTES, pageOffset, "relocations of base " + i);
            long[] s = new long[n];
            long[] e = new long[n];
            long[] d = new long[n];
            for (int r = 0; r < n; r++, o += RELOCATION_BYTES) {
                s[r] = OffHeap.getLong(address + o);
                e[r] = OffHeap.getLong(address + o + 8);
                d[r] = OffHeap.getLong(address + o + 16);
            }
            try {
                bs.add(new BaseUse(base, node, PointerRelocation.of(s, e, d)));
            } catch (IllegalArgumentException ex) {
                throw new DedupImageFormatException(source, o, "relocations of base " + i + ": " + ex.getMessage());
            }
        }
        if (o != pageOffset) {
            throw new DedupImageFormatException(source, o, "base table ends at " + o + ", page table starts at " + pageOffset);
        }
        bases = Collections.unmodifiableList(bs);

        table = PageTable.read(address, source, pageOffset, payloadStart, pageCount, ms, baseCount);

        // payload blocks: they hold every page once, in order, and their raw bytes are the pages' payloads
        if (payloadLength < BLOCK_TABLE_FIXED_BYTES) {
            throw new DedupImageFormatException(source, payloadStart, "payload section of " + payloadLength
                    + " bytes has no block table");
        }
        int blocks = OffHeap.getInt(address + payloadStart);
        long entries = payloadStart + BLOCK_TABLE_FIXED_BYTES;
        if (blocks < 0 || (long) blocks * BLOCK_ENTRY_BYTES > payloadLength - BLOCK_TABLE_FIXED_BYTES) {
            throw new DedupImageFormatException(source, payloadStart, "block count " + blocks
                    + " does not fit a payload section of " + payloadLength + " bytes");
        }
        blockFirstPage = new int[blocks + 1];
        blockCoding = new byte[blocks];
        blockRaw = new int[blocks];
        blockStored = new int[blocks];
        blockOffset = new long[blocks];
        pageBlock = new int[pageCount];
        pageOffsetInBlock = new int[pageCount];
        blockLaneStride = new int[blocks];
        long storedAt = entries + (long) blocks * BLOCK_ENTRY_BYTES;
        long rawAt = 0;
        int page = 0;
        for (int b = 0; b < blocks; b++) {
            long e = entries + (long) b * BLOCK_ENTRY_BYTES;
            int pages = OffHeap.getInt(address + e);
            int coding = OffHeap.getByte(address + e + 4);
            int raw = OffHeap.getInt(address + e + 8);
            int stored = OffHeap.getInt(address + e + 12);
            if (pages < 0 || pages > MAX_BLOCK_PAGES || pages > pageCount - page) {
                throw new DedupImageFormatException(source, e, "block " + b + ": " + pages + " pages (at most "
                        + MAX_BLOCK_PAGES + ", and " + (pageCount - page) + " pages are left)");
            }
            if (coding != BLOCK_STORED && coding != BLOCK_ZSTD) {
                throw new DedupImageFormatException(source, e + 4, "block " + b + ": unknown coding " + coding);
            }
            if (raw < 0 || raw > pages * PageSize.BYTES || stored < 0 || (coding == BLOCK_STORED && stored != raw)) {
                throw new DedupImageFormatException(source, e + 8, "block " + b + " of " + pages + " pages: raw length "
                        + raw + ", stored length " + stored + " are impossible");
            }
            if (stored > payloadStart + payloadLength - storedAt) {
                throw new DedupImageFormatException(source, e + 12, "block " + b + ": " + stored
                        + " stored bytes run past the payload section");
            }
            if (pages > 0 && table.payloadOffset[page] != rawAt) {
                throw new DedupImageFormatException(source, e, "block " + b + ": page " + page + " is not where the block starts");
            }
            // the other pages' payloads first, in page order; then the SHUFFLED pages' byte places
            long within = 0;
            int shuffled = 0;
            for (int p = page; p < page + pages; p++) {
                pageBlock[p] = b;
                if (table.kind[p] == PageKind.SHUFFLED.code()) {
                    shuffled++;
                } else {
                    pageOffsetInBlock[p] = (int) within;
                    within += table.payloadLength[p];
                }
            }
            for (int p = page, k = 0; p < page + pages; p++) {
                if (table.kind[p] == PageKind.SHUFFLED.code()) {
                    pageOffsetInBlock[p] = (int) within + k++ * DedupImageFormat.SHUFFLED_PLACE_BYTES;
                }
            }
            blockLaneStride[b] = shuffled * DedupImageFormat.SHUFFLED_PLACE_BYTES;
            within += (long) shuffled * PageSize.BYTES;
            if (within != raw) {
                throw new DedupImageFormatException(source, e + 8, "block " + b + " (pages " + page + ".." + (page + pages - 1)
                        + "): its pages hold " + within + " payload bytes, the block table says " + raw);
            }
            blockFirstPage[b] = page;
            blockCoding[b] = (byte) coding;
            blockRaw[b] = raw;
            blockStored[b] = stored;
            blockOffset[b] = storedAt;
            page += pages;
            rawAt += raw;
            storedAt += stored;
        }
        blockFirstPage[blocks] = page;
        if (page != pageCount) {
            throw new DedupImageFormatException(source, payloadStart, "payload blocks hold " + page + " pages, the image has "
                    + pageCount);
        }
        if (storedAt != payloadStart + payloadLength) {
            throw new DedupImageFormatException(source, H_PAYLOAD_LENGTH, "payload blocks end at " + storedAt
                    + ", the payload section at " + (payloadStart + payloadLength));
        }
    }

    /**
     * Checks the metadata checksum: everything up to the end of the payload block table (whose
     * position is bounds-checked first), the checksum field counted as zero.
     */
    private void checkMetadata(long trailer) throws DedupImageFormatException {
        long payloadStart = OffHeap.getLong(address + H_PAYLOAD_OFFSET);
        if (payloadStart < HEADER_BYTES || payloadStart > trailer - BLOCK_TABLE_FIXED_BYTES) {
            throw new DedupImageFormatException(source, H_PAYLOAD_OFFSET, "payload offset " + payloadStart
                    + " lies outside the file (" + trailer + " bytes before the trailer)");
        }
        int blocks = OffHeap.getInt(address + payloadStart);
        long end = payloadStart + BLOCK_TABLE_FIXED_BYTES + (long) blocks * BLOCK_ENTRY_BYTES;
        if (blocks < 0 || end > trailer) {
            throw new DedupImageFormatException(source, payloadStart, "block count " + blocks
                    + " does not fit the file");
        }
        if (end > Integer.MAX_VALUE - 8) {
            throw new DedupImageFormatException(source, payloadStart, "metadata of " + end + " bytes is too large");
        }
        // hashed from a copy with the field zeroed: the image memory may be read-only
        byte[] metadata = new byte[(int) end];
        OffHeap.copyToArray(address, metadata, 0, metadata.length);
        long stored = OffHeap.getLong(address + H_METADATA_CHECKSUM);
        java.util.Arrays.fill(metadata, H_METADATA_CHECKSUM, H_METADATA_CHECKSUM + 8, (byte) 0);
        long actual = LongHashFunction.xx3().hashBytes(metadata);
        if (stored != actual) {
            throw new DedupImageFormatException(source, H_METADATA_CHECKSUM, "metadata checksum mismatch: stored 0x"
                    + Long.toHexString(stored) + ", computed 0x" + Long.toHexString(actual)
                    + " (header, mapping, base, page or block table corrupt)");
        }
    }

    /** Takes ownership of {@code store}, whose first {@code length} bytes hold an image; validates it. */
    public static DedupImage wrap(BytesStore<?, Void> store, long length, String source) throws DedupImageFormatException {
        return new DedupImage(store, length, source);
    }

    /** Reads and validates an image from {@code bytes}; {@code source} names it in errors. */
    public static DedupImage fromBytes(byte[] bytes, String source) throws DedupImageFormatException {
        BytesStore<?, Void> store = BytesStore.nativeStoreWithFixedCapacity(Math.max(1, bytes.length));
        OffHeap.copyFromArray(bytes, 0, store.addressForRead(0), bytes.length);
        try {
            return new DedupImage(store, bytes.length, source);
        } catch (DedupImageFormatException | RuntimeException e) {
            store.releaseLast();
            throw e;
        }
    }

    /** Reads and validates the image file {@code file}. */
    public static DedupImage read(Path file) throws IOException, DedupImageFormatException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            BytesStore<?, Void> store = BytesStore.nativeStoreWithFixedCapacity(Math.max(1, size));
            try {
                long a = store.addressForRead(0);
                ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                long pos = 0;
                while (pos < size) {
                    buf.clear();
                    int r = ch.read(buf, pos);
                    if (r < 0) {
                        break;
                    }
                    OffHeap.copyFromArray(buf.array(), 0, a + pos, r);
                    pos += r;
                }
                return new DedupImage(store, pos, file.toString());
            } catch (IOException | DedupImageFormatException | RuntimeException e) {
                store.releaseLast();
                throw e;
            }
        }
    }

    /** Writes the image bytes to {@code file}, replacing it. */
    public void writeTo(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 20];
            for (long pos = 0; pos < length; ) {
                int n = (int) Math.min(buf.length, length - pos);
                OffHeap.copyToArray(address() + pos, buf, 0, n);
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
                pos += n;
            }
        }
    }

    /** The image bytes. */
    public byte[] toByteArray() {
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("image of " + length + " bytes does not fit an array");
        }
        byte[] b = new byte[(int) length];
        OffHeap.copyToArray(address(), b, 0, b.length);
        return b;
    }

    /** The id of the sandbox image this was made from. */
    public String id() {
        return id;
    }

    /** Where it was read from, for messages. */
    public String source() {
        return source;
    }

    public List<Mapping> mappings() {
        return mappings;
    }

    /** Bases the image reads pages from; the first is its primary base. */
    public List<BaseUse> bases() {
        return bases;
    }

    public int pageCount() {
        return pageCount;
    }

    /** Bytes the image takes, all metadata included. */
    public long storedBytes() {
        return length;
    }

    /** Bytes of the pages it stands for. */
    public long rawBytes() {
        return (long) pageCount << PageSize.SHIFT;
    }

    /** Share of the raw page bytes saved: {@code 1 - storedBytes / rawBytes}. */
    public double savedFraction() {
        return pageCount == 0 ? 0 : 1.0 - (double) length / rawBytes();
    }

    /** Number of pages of each kind. */
    public Map<PageKind, Integer> kindCounts() {
        Map<PageKind, Integer> m = new EnumMap<>(PageKind.class);
        for (PageKind k : PageKind.values()) {
            m.put(k, 0);
        }
        for (int p = 0; p < pageCount; p++) {
            m.merge(kind(p), 1, Integer::sum);
        }
        return m;
    }

    /** Payload bytes of the pages of each kind (page table and headers not included). */
    public Map<PageKind, Long> kindPayloadBytes() {
        Map<PageKind, Long> m = new EnumMap<>(PageKind.class);
        for (PageKind k : PageKind.values()) {
            m.put(k, 0L);
        }
        for (int p = 0; p < pageCount; p++) {
            m.merge(kind(p), (long) payloadLength(p), Long::sum);
        }
        return m;
    }

    public long pageVaddr(int p) {
        return table.vaddr[check(p)];
    }

    /** XXH3-64 of the original page. */
    public long pageHash(int p) {
        return table.pageHash[check(p)];
    }

    /**
     * Low 32 bits of XXH3-64 of the base page the page was encoded against (for a SAME_AS_BASE
     * page, of the page itself), or 0 without a base.
     */
    public int baseHash(int p) {
        return table.baseHash[check(p)];
    }

    public int basePage(int p) {
        return table.basePage[check(p)];
    }

    /** Index into {@link #bases()}, or -1. */
    public int baseIndex(int p) {
        int i = Short.toUnsignedInt(table.baseIndex[check(p)]);
        return i == NO_BASE ? -1 : i;
    }

    public PageKind kind(int p) {
        return PageKind.ofCode(table.kind[check(p)]);
    }

    public int codecId(int p) {
        return table.codec[check(p)];
    }

    public int payloadLength(int p) {
        return table.payloadLength[check(p)];
    }

    /** Number of payload blocks. */
    public int blockCount() {
        return blockRaw.length;
    }

    /** First page of block {@code b}; {@code blockFirstPage(blockCount())} is the page count. */
    public int blockFirstPage(int b) {
        java.util.Objects.checkIndex(b, blockRaw.length + 1);
        return blockFirstPage[b];
    }

    /** Block that holds page {@code p}'s payload. */
    public int blockOf(int p) {
        return pageBlock[check(p)];
    }

    /**
     * Offset of page {@code p}'s payload in its block's raw bytes (read a block with a
     * {@link PayloadBlockCodec}); for a {@link PageKind#SHUFFLED} page, of its first byte place,
     * the others following at steps of {@link #shuffledPlaceStride}.
     */
    public int payloadOffsetInBlock(int p) {
        return pageOffsetInBlock[check(p)];
    }

    /**
     * Distance in block {@code b}'s raw bytes between one byte place of a {@link PageKind#SHUFFLED}
     * page of the block and the next (512 bytes times the block's SHUFFLED pages).
     */
    public int shuffledPlaceStride(int b) {
        return blockLaneStride[b];
    }

    /** Bytes of block {@code b}'s payloads, decompressed. */
    public int blockRawLength(int b) {
        return blockRaw[b];
    }

    /** Bytes block {@code b} takes in the image. */
    public int blockStoredLength(int b) {
        return blockStored[b];
    }

    /** {@link DedupImageFormat#BLOCK_STORED} or {@link DedupImageFormat#BLOCK_ZSTD}. */
    public int blockCoding(int b) {
        return blockCoding[b];
    }

    long blockStoredAddress(int b) {
        return address() + blockOffset[b];
    }

    DedupImageFormatException blockError(int b, String reason) {
        return new DedupImageFormatException(source, blockOffset[b], "payload block " + b + " (pages " + blockFirstPage[b]
                + ".." + (blockFirstPage[b + 1] - 1) + "): " + reason);
    }

    private int check(int p) {
        java.util.Objects.checkIndex(p, pageCount);
        if (closed) {
            throw new IllegalStateException("dedup image " + id + " is closed");
        }
        return p;
    }

    private long address() {
        if (closed) {
            throw new IllegalStateException("dedup image " + id + " is closed");
        }
        return address;
    }

    /** Frees the off-heap bytes; idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            store.releaseLast();
        }
    }

    @Override
    public String toString() {
        return "DedupImage[" + id + ", " + pageCount + " pages, " + length + " bytes, saved "
                + String.format("%.1f%%", 100 * savedFraction()) + "]";
    }

    private int nonNegative(int field, String what) throws DedupImageFormatException {
        int v = OffHeap.getInt(address + field);
        if (v < 0) {
            throw new DedupImageFormatException(source, field, what + " is negative (" + v + ")");
        }
        return v;
    }

    private long section(int field, long min, long max) throws DedupImageFormatException {
        long v = OffHeap.getLong(address + field);
        if (v < min || v > max || (v & 7) != 0) {
            throw new DedupImageFormatException(source, field, "section offset " + v + " outside " + min + ".." + max
                    + " or unaligned");
        }
        return v;
    }

    private void need(long offset, long bytes, long limit, String what) throws DedupImageFormatException {
        if (bytes < 0 || offset + bytes > limit) {
            throw new DedupImageFormatException(source, offset, what + " (" + bytes + " bytes) runs past its section, which ends at "
                    + limit);
        }
    }

    private String utf8(long offset, int n, long limit) throws DedupImageFormatException {
        need(offset, n, limit, "text");
        byte[] b = new byte[n];
        OffHeap.copyToArray(address + offset, b, 0, n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new DedupImageFormatException(source, offset, "text is not UTF-8");
        }
    }
}
