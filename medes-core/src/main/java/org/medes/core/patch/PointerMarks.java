package org.medes.core.patch;

import net.openhft.hashing.LongHashFunction;
import org.medes.core.page.Mapping;
import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Which words of a base sandbox's pages may be pointers a {@link PointerRelocation} moves: one bit
 * per 8-byte word, set when the word's value lies in the base's <em>cover</em> (its mappings,
 * joined across gaps narrower than {@link PointerRelocation#SPANNED_GAP}). A relocation made from
 * this base's mappings ({@link PointerRelocation#spanningGaps}) moves only words inside the cover,
 * so a codec given the marks relocates the marked words alone, with the same result as relocating
 * all 512. On the six checkpoints of {@code ./medes corpus} one word in two (Node.js wordcount) to
 * five (Java) is marked: the others are copied by a loop with no test in it, and the data words
 * that lie between two mappings, which otherwise cost a failed lookup each, are never looked up.
 *
 * <p>Made once when a base is registered (about 2 us a page here: 11 ms for a 5,172-page Python
 * worker) and kept beside it: 64 bytes per 4 KiB page. {@link #covers} says whether a given relocation may use
 * them; a relocation read from an older dedup image, which joined wider gaps, may not. A node that
 * restores from a base held elsewhere gets them as {@link #toBytes} made there.
 *
 * <p>Page {@code p}'s marks are {@code words()[p * LONGS_PER_PAGE ..)}: bit {@code j % 64} of
 * long {@code j / 64} for word {@code j}. Thread-safety: immutable after construction.
 */
public final class PointerMarks {
    /** Longs of marks per 4 KiB page. */
    public static final int LONGS_PER_PAGE = PageSize.BYTES / 8 / 64;

    private static final int MAGIC = 0x4D50444D; // "MDPM" little-endian
    private static final int VERSION = 1;
    private static final int HEADER_BYTES = 16;
    private static final LongHashFunction XX3 = LongHashFunction.xx3();

    private final long[] coverStarts;
    private final long[] coverEnds;
    private final long[] words;

    private PointerMarks(long[] coverStarts, long[] coverEnds, long[] words) {
        this.coverStarts = coverStarts;
        this.coverEnds = coverEnds;
        this.words = words;
    }

    /** The marks of every page of {@code base}. */
    public static PointerMarks of(SandboxImage base) {
        List<Mapping> ms = base.mappings();
        int m = ms.size();
        long[] starts = new long[m];
        long[] ends = new long[m];
        long[] one = new long[m];
        for (int i = 0; i < m; i++) {
            starts[i] = ms.get(i).start();
            ends[i] = ms.get(i).end();
            one[i] = 1;
        }
        // the cover is the mappings joined the way spanningGaps joins a relocation's ranges of one
        // delta, so every relocation made from them moves words inside it only; a word is in the
        // cover when this relocation, which adds 1 there, moves it
        PointerRelocation cover = PointerRelocation.of(starts, ends, one).spanningGaps();
        int n = cover.size();
        long[] st = new long[n];
        long[] en = new long[n];
        for (int i = 0; i < n; i++) {
            st[i] = cover.start(i);
            en[i] = cover.end(i);
        }
        RelocationIndex inCover = new RelocationIndex(cover);
        long[] words = new long[base.pageCount() * LONGS_PER_PAGE];
        for (int p = 0; p < base.pageCount(); p++) {
            long at = base.pageAddress(p);
            for (int j = 0; j < PageSize.BYTES / 8; j++) {
                long w = OffHeap.getLong(at + ((long) j << 3));
                if (inCover.relocate(w) != w) {
                    words[p * LONGS_PER_PAGE + (j >>> 6)] |= 1L << j;
                }
            }
        }
        return new PointerMarks(st, en, words);
    }

    /**
     * These marks as bytes, for a node that restores from this base remotely: magic {@code MDPM},
     * version 1, the cover's range count and the page count (u32 each), the ranges (u64 start and
     * end), the marks ({@link #LONGS_PER_PAGE} u64 a page), then the XXH3-64 of all that; little-endian.
     */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + 16 * coverStarts.length + 8 * words.length + 8)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(VERSION).putInt(coverStarts.length).putInt(pageCount());
        for (int i = 0; i < coverStarts.length; i++) {
            b.putLong(coverStarts[i]).putLong(coverEnds[i]);
        }
        for (long w : words) {
            b.putLong(w);
        }
        b.putLong(XX3.hashBytes(b.array(), 0, b.position()));
        return b.array();
    }

    /**
     * Marks written by {@link #toBytes}.
     *
     * @throws IllegalArgumentException naming the offset and what is wrong: not marks, another
     *     version, a length that does not fit the counts, a wrong checksum, cover ranges that are
     *     empty, overlapping or out of order
     */
    public static PointerMarks fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < HEADER_BYTES + 8) {
            throw malformed(bytes.length, "truncated: " + bytes.length + " bytes, a header and checksum need "
                    + (HEADER_BYTES + 8));
        }
        if (b.getInt(0) != MAGIC) {
            throw malformed(0, "not pointer marks (magic 0x" + Integer.toHexString(b.getInt(0)) + ")");
        }
        if (b.getInt(4) != VERSION) {
            throw malformed(4, "version " + b.getInt(4) + ", this library reads " + VERSION);
        }
        long ranges = Integer.toUnsignedLong(b.getInt(8));
        long pages = Integer.toUnsignedLong(b.getInt(12));
        long expected = HEADER_BYTES + 16 * ranges + 8L * LONGS_PER_PAGE * pages + 8;
        if (bytes.length != expected) {
            throw malformed(Math.min(bytes.length, expected), ranges + " cover ranges and " + pages + " pages need "
                    + expected + " bytes, there are " + bytes.length);
        }
        int end = bytes.length - 8;
        long sum = XX3.hashBytes(bytes, 0, end);
        if (b.getLong(end) != sum) {
            throw malformed(end, "checksum mismatch (the marks are corrupt)");
        }
        long[] st = new long[(int) ranges];
        long[] en = new long[(int) ranges];
        int at = HEADER_BYTES;
        for (int i = 0; i < st.length; i++, at += 16) {
            st[i] = b.getLong(at);
            en[i] = b.getLong(at + 8);
            if (Long.compareUnsigned(st[i], en[i]) >= 0 || (i > 0 && Long.compareUnsigned(st[i], en[i - 1]) <= 0)) {
                throw malformed(at, "cover range " + i + " is empty, overlaps or is out of order");
            }
        }
        long[] words = new long[(int) pages * LONGS_PER_PAGE];
        for (int i = 0; i < words.length; i++, at += 8) {
            words[i] = b.getLong(at);
        }
        return new PointerMarks(st, en, words);
    }

    private static IllegalArgumentException malformed(long offset, String why) {
        return new IllegalArgumentException("pointer marks, offset " + offset + ": " + why);
    }

    /** Whether {@code r} moves no word outside this base's cover, so that codecs may use these marks with it. */
    public boolean covers(PointerRelocation r) {
        return r.within(coverStarts, coverEnds);
    }

    /** The marks, {@link #LONGS_PER_PAGE} longs per page in page order; not to be changed. */
    public long[] words() {
        return words;
    }

    /** Pages marked. */
    public int pageCount() {
        return words.length / LONGS_PER_PAGE;
    }

    /** Marked words of page {@code page}. */
    public int markedWords(int page) {
        int c = 0;
        for (int i = 0; i < LONGS_PER_PAGE; i++) {
            c += Long.bitCount(words[page * LONGS_PER_PAGE + i]);
        }
        return c;
    }
}
