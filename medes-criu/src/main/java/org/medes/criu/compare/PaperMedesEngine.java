package org.medes.criu.compare;

import org.medes.core.page.PageSize;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code medes-paper}: the paper's published algorithm, implemented here from its description and
 * its authors' code. Every base page is fingerprinted ({@link PaperFingerprint}: SHA-1 of 64 B
 * windows at a 16 B stride, the first five whose digest ends in an even hex digit, all-zero windows
 * skipped) into a hash index (fingerprint hash to the base pages holding it, at most
 * {@value #MAX_PAGES_PER_HASH} per hash, the first in address order). A target page's base page is
 * the base page sharing the most fingerprint hashes with it (ties: the lowest page); its delta
 * against that page ({@link PageDelta}, the in-Java stand-in for the per-page {@code xdelta3 -1} of
 * the paper) is kept when under 4096 B, otherwise the page is stored raw; pages with no
 * fingerprint match (zero pages included: they have no fingerprint) are stored raw.
 *
 * <p>Stored form, counted byte for byte: per page a kind byte, then 4096 raw bytes (kind 0) or a
 * u32 base page index, a u16 delta length and the delta (kind 1).
 *
 * <p>Thread-safety: one thread at a time.
 */
final class PaperMedesEngine implements CompareEngine {
    static final String NAME = "medes-paper";
    static final int MAX_PAGES_PER_HASH = 32;
    private final PaperFingerprint fingerprinter = new PaperFingerprint();
    private final PageDelta delta = new PageDelta();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Encoded encode(ComparePair pair) {
        byte[] base = pair.basePages();
        byte[] target = pair.targetPages();
        Map<Long, int[]> index = index(base);
        long[] fp = new long[PaperFingerprint.K];
        int[] cand = new int[PaperFingerprint.K * MAX_PAGES_PER_HASH];
        int[] count = new int[cand.length];
        int pages = target.length / PageSize.BYTES;
        ByteSink out = new ByteSink(target.length / 2);
        for (int p = 0; p < pages; p++) {
            int off = p * PageSize.BYTES;
            int k = fingerprinter.fingerprint(target, off, fp);
            int nc = 0;
            for (int i = 0; i < k; i++) {
                int[] list = index.get(fp[i]);
                if (list == null) {
                    continue;
                }
                for (int j = 1; j <= list[0]; j++) {
                    int c = 0;
                    while (c < nc && cand[c] != list[j]) {
                        c++;
                    }
                    if (c == nc) {
                        cand[nc] = list[j];
                        count[nc++] = 0;
                    }
                    count[c]++;
                }
            }
            int best = -1;
            for (int c = 0; c < nc; c++) {
                if (best < 0 || count[c] > count[best] || (count[c] == count[best] && cand[c] < cand[best])) {
                    best = c;
                }
            }
            if (best >= 0) {
                int basePage = cand[best];
                out.put(1);
                out.putInt(basePage);
                int at = out.length();
                out.putShort(0);
                int n = delta.encode(base, basePage * PageSize.BYTES, target, off, out, PageSize.BYTES);
                if (n >= 0) {
                    out.patchShort(at, n);
                    continue;
                }
                out.truncate(at - 5);
            }
            out.put(0);
            out.put(target, off, PageSize.BYTES);
        }
        return out.toStored();
    }

    /** Fingerprint hash to {count, page, page, ...} of the base pages holding it. */
    private Map<Long, int[]> index(byte[] base) {
        int pages = base.length / PageSize.BYTES;
        Map<Long, int[]> index = new HashMap<>(pages * 8);
        long[] fp = new long[PaperFingerprint.K];
        for (int p = 0; p < pages; p++) {
            int k = fingerprinter.fingerprint(base, p * PageSize.BYTES, fp);
            for (int i = 0; i < k; i++) {
                int[] list = index.get(fp[i]);
                if (list == null) {
                    list = new int[3];
                } else if (list[0] == MAX_PAGES_PER_HASH) {
                    continue;
                } else if (list[0] + 1 == list.length) {
                    list = Arrays.copyOf(list, Math.min(MAX_PAGES_PER_HASH + 1, list.length * 2));
                }
                list[++list[0]] = p;
                index.put(fp[i], list);
            }
        }
        return index;
    }

    @Override
    public DecodedPages decode(ComparePair pair, Encoded encoded) throws IOException {
        byte[] base = pair.basePages();
        int basePages = base.length / PageSize.BYTES;
        ByteSource in = new ByteSource((StoredBytes) encoded, NAME);
        byte[] out = new byte[Math.toIntExact(pair.rawBytes())];
        int pages = out.length / PageSize.BYTES;
        for (int p = 0; p < pages; p++) {
            int kind = in.get();
            int dst = p * PageSize.BYTES;
            if (kind == 0) {
                System.arraycopy(in.array(), in.skip(PageSize.BYTES), out, dst, PageSize.BYTES);
            } else if (kind == 1) {
                int b = in.getInt();
                if (b < 0 || b >= basePages) {
                    throw in.error("page " + p + " names base page " + b + " of " + basePages);
                }
                int n = in.getShort();
                int at = in.skip(n);
                PageDelta.decode(base, b * PageSize.BYTES, in.array(), at, n, out, dst, NAME + " page " + p);
            } else {
                throw in.error("page " + p + " has unknown kind " + kind);
            }
        }
        if (in.hasMore()) {
            throw in.error("bytes left after " + pages + " pages");
        }
        return DecodedPages.of(out);
    }
}
