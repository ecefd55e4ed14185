package org.medes.core.patch;

import org.medes.core.page.Mapping;
import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;

import java.util.ArrayList;
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
 * them; a relocation read from an older dedup image, which joined wider gaps, may not.
 *
 * <p>Page {@code p}'s marks are {@code words()[p * LONGS_PER_PAGE ..)}: bit {@code j % 64} of
 * long {@code j / 64} for word {@code j}. Thread-safety: immutable after construction.
 */
public final class PointerMarks {
    /** Longs of marks per 4 KiB page. */
    public static final int LONGS_PER_PAGE = PageSize.BYTES / 8 / 64;

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
        List<Mapping> ms = new ArrayList<>(base.mappings());
        ms.sort((a, b) -> Long.compareUnsigned(a.start(), b.start())); // the vsyscall page sits at the top
        List<long[]> cover = new ArrayList<>();
        for (Mapping m : ms) {
            long[] last = cover.isEmpty() ? null : cover.get(cover.size() - 1);
            if (last != null && Long.compareUnsigned(m.start() - last[1], PointerRelocation.SPANNED_GAP) < 0) {
                last[1] = Long.compareUnsigned(m.end(), last[1]) > 0 ? m.end() : last[1];
            } else {
                cover.add(new long[] {m.start(), m.end()});
            }
        }
        int n = cover.size();
        long[] st = new long[n];
        long[] en = new long[n];
        long[] one = new long[n];
        for (int i = 0; i < n; i++) {
            st[i] = cover.get(i)[0];
            en[i] = cover.get(i)[1];
            one[i] = 1;
        }
        // a word is in the cover when the relocation that adds 1 inside it moves the word
        RelocationIndex inCover = new RelocationIndex(PointerRelocation.of(st, en, one));
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
