package org.medes.core.image;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.hashing.LongHashFunction;
import org.medes.core.page.Mapping;
import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

import static org.medes.core.image.DedupImageFormat.*;

/**
 * Assembles a dedup image in {@link DedupImageFormat}: the caller fills the page table with
 * {@link #page} (any order, any thread for distinct pages) and hands payloads over as
 * {@link PayloadBlock}s in page order.
 *
 * <p>Thread-safety: {@link #page} may be called concurrently for distinct pages; {@link #finish}
 * once, after all of them.
 */
public final class DedupImageWriter {
    private static final LZ4Compressor LZ4 = LZ4Factory.fastestInstance().highCompressor();

    private final String id;
    private final List<Mapping> mappings;
    private final List<BaseUse> bases;
    private final int pageCount;
    private final PageTable table;

    public DedupImageWriter(String id, List<Mapping> mappings, List<BaseUse> bases, int pageCount) {
        this.id = Objects.requireNonNull(id);
        this.mappings = List.copyOf(mappings);
        this.bases = List.copyOf(bases);
        if (bases.size() >= NO_BASE) {
            throw new IllegalArgumentException("too many bases: " + bases.size());
        }
        this.pageCount = pageCount;
        table = new PageTable(pageCount);
    }

    /**
     * Records page {@code p}'s table entry; {@code baseIdx} is an index into the bases, or -1.
     * {@code baseHash} is kept for PATCH pages only (a SAME_AS_BASE page's base page is the page).
     */
    public void page(int p, long vaddr, long pageHash, PageKind kind, int codecId, int baseIdx, int basePage,
                     int baseHash, int payloadLength) {
        if ((vaddr & (PageSize.BYTES - 1)) != 0) {
            throw new IllegalArgumentException("page " + p + ": address 0x" + Long.toHexString(vaddr) + " is not page-aligned");
        }
        table.vaddr[p] = vaddr;
        table.pageHash[p] = pageHash;
        table.kind[p] = (byte) kind.code();
        table.codec[p] = (byte) codecId;
        table.baseIndex[p] = (short) (baseIdx < 0 ? NO_BASE : baseIdx);
        table.basePage[p] = basePage;
        table.baseHash[p] = baseHash;
        table.payloadLength[p] = payloadLength;
    }

    /**
     * Writes the image. {@code blocks} hold the pages' payloads in page order: their pages add
     * up to the page count and each block's raw length to its pages' payload lengths.
     */
    public DedupImage finish(List<PayloadBlock> blocks) {
        int page = 0;
        long storedBytes = 0;
        for (int b = 0; b < blocks.size(); b++) {
            PayloadBlock blk = blocks.get(b);
            long raw = 0;
            for (int p = page; p < page + blk.pages() && p < pageCount; p++) {
                raw += table.payloadLength[p];
            }
            page += blk.pages();
            if (page > pageCount || raw != blk.rawLength()) {
                throw new IllegalStateException("payload block " + b + " holds " + blk.rawLength() + " bytes of pages up to "
                        + (page - 1) + ", the page table says " + raw + " (of " + pageCount + " pages)");
            }
            storedBytes += blk.storedLength();
        }
        if (page != pageCount) {
            throw new IllegalStateException("payload blocks hold " + page + " pages, the image has " + pageCount);
        }
        long payload = BLOCK_TABLE_FIXED_BYTES + (long) BLOCK_ENTRY_BYTES * blocks.size() + storedBytes;
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        byte[][] names = new byte[mappings.size()][];
        long mappingOffset = HEADER_BYTES + pad8(idBytes.length);
        long size = 0;
        for (int i = 0; i < names.length; i++) {
            names[i] = mappings.get(i).name().getBytes(StandardCharsets.UTF_8);
            size += MAPPING_FIXED_BYTES + pad8(names[i].length);
        }
        long baseOffset = mappingOffset + size;
        size = 0;
        for (BaseUse b : bases) {
            size += BASE_FIXED_BYTES + (long) RELOCATION_BYTES * b.relocation().size();
        }
        long pageOffset = baseOffset + size;
        byte[] stream = table.entryStream();
        byte[] stored = new byte[LZ4.maxCompressedLength(stream.length)];
        int storedLength = LZ4.compress(stream, 0, stream.length, stored, 0, stored.length);
        int patched = table.patchCount();
        long hashOffset = pageOffset + PAGE_TABLE_FIXED_BYTES + pad8(storedLength);
        long baseHashOffset = hashOffset + (long) PAGE_HASH_BYTES * pageCount;
        long payloadOffset = baseHashOffset + pad8((long) BASE_HASH_BYTES * patched);
        long fileLength = pad8(payloadOffset + payload) + TRAILER_BYTES;

        BytesStore<?, Void> store = BytesStore.nativeStoreWithFixedCapacity(fileLength);
        long a = store.addressForRead(0);
        OffHeap.zero(a, fileLength);
        OffHeap.putLong(a + H_MAGIC, MAGIC);
        OffHeap.putShort(a + H_VERSION, (short) VERSION);
        OffHeap.putShort(a + H_FLAGS, (short) 0);
        OffHeap.putInt(a + H_PAGE_SIZE, PageSize.BYTES);
        OffHeap.putInt(a + H_PAGES, pageCount);
        OffHeap.putInt(a + H_MAPPINGS, mappings.size());
        OffHeap.putInt(a + H_BASES, bases.size());
        OffHeap.putInt(a + H_ID_LENGTH, idBytes.length);
        OffHeap.putLong(a + H_MAPPING_OFFSET, mappingOffset);
        OffHeap.putLong(a + H_BASE_OFFSET, baseOffset);
        OffHeap.putLong(a + H_PAGE_OFFSET, pageOffset);
        OffHeap.putLong(a + H_PAYLOAD_OFFSET, payloadOffset);
        OffHeap.putLong(a + H_PAYLOAD_LENGTH, payload);
        OffHeap.putLong(a + H_FILE_LENGTH, fileLength);
        OffHeap.copyFromArray(idBytes, 0, a + HEADER_BYTES, idBytes.length);

        long o = a + mappingOffset;
        for (int i = 0; i < names.length; i++) {
            Mapping m = mappings.get(i);
            OffHeap.putLong(o, m.start());
            OffHeap.putLong(o + 8, m.length());
            OffHeap.putLong(o + 16, m.fileOffset());
            OffHeap.putInt(o + 24, m.protection());
            OffHeap.putInt(o + 28, names[i].length);
            OffHeap.copyFromArray(names[i], 0, o + 32, names[i].length);
            o += MAPPING_FIXED_BYTES + pad8(names[i].length);
        }
        for (BaseUse b : bases) {
            OffHeap.putInt(o, b.base());
            OffHeap.putInt(o + 4, b.node());
            OffHeap.putInt(o + 8, b.relocation().size());
            o += BASE_FIXED_BYTES;
            for (int r = 0; r < b.relocation().size(); r++) {
                OffHeap.putLong(o, b.relocation().start(r));
                OffHeap.putLong(o + 8, b.relocation().end(r));
                OffHeap.putLong(o + 16, b.relocation().delta(r));
                o += RELOCATION_BYTES;
            }
        }
        OffHeap.putInt(o + T_STREAM_LENGTH, stream.length);
        OffHeap.putInt(o + T_STORED_LENGTH, storedLength);
        OffHeap.copyFromArray(stored, 0, o + PAGE_TABLE_FIXED_BYTES, storedLength);
        o = a + hashOffset;
        for (int p = 0; p < pageCount; p++, o += PAGE_HASH_BYTES) {
            OffHeap.putLong(o, table.pageHash[p]);
        }
        for (int p = 0; p < pageCount; p++) {
            if (table.kind[p] == PageKind.PATCH.code()) {
                OffHeap.putInt(o, table.baseHash[p]);
                o += BASE_HASH_BYTES;
            }
        }
        o = a + payloadOffset;
        OffHeap.putInt(o, blocks.size());
        o += BLOCK_TABLE_FIXED_BYTES;
        for (PayloadBlock blk : blocks) {
            OffHeap.putInt(o, blk.pages());
            OffHeap.putByte(o + 4, (byte) blk.coding());
            OffHeap.putInt(o + 8, blk.rawLength());
            OffHeap.putInt(o + 12, blk.storedLength());
            o += BLOCK_ENTRY_BYTES;
        }
        for (PayloadBlock blk : blocks) {
            OffHeap.copyFromArray(blk.stored(), 0, o, blk.storedLength());
            o += blk.storedLength();
        }
        long metadataEnd = payloadOffset + BLOCK_TABLE_FIXED_BYTES + (long) BLOCK_ENTRY_BYTES * blocks.size();
        OffHeap.putLong(a + H_METADATA_CHECKSUM, LongHashFunction.xx3().hashMemory(a, metadataEnd));
        long trailer = fileLength - TRAILER_BYTES;
        OffHeap.putLong(a + trailer, LongHashFunction.xx3().hashMemory(a, trailer));
        OffHeap.putLong(a + trailer + 8, END_MAGIC);
        try {
            return DedupImage.wrap(store, fileLength, "dedup image " + id);
        } catch (DedupImageFormatException e) {
            store.releaseLast();
            throw new IllegalStateException("writer produced an unreadable image", e);
        }
    }
}
