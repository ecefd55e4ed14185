package org.medes.criu.compare;

import org.medes.core.page.PageSize;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code ksm}: exact page merging as Linux KSM does it. A target page byte-identical to a base page
 * or to an earlier target page is stored as a reference, any other page raw.
 *
 * <p>Stored form, counted byte for byte: per page a kind byte, then 4096 raw bytes (kind 0) or a
 * u32 page index into the base (kind 1) or into the target's earlier pages (kind 2): 5 B per
 * merged page, 4097 B per other page.
 *
 * <p>Thread-safety: one thread at a time.
 */
final class KsmEngine implements CompareEngine {
    static final String NAME = "ksm";
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Encoded encode(ComparePair pair) {
        byte[] base = pair.basePages();
        byte[] target = pair.targetPages();
        Map<Long, Integer> basePage = index(base);
        Map<Long, Integer> seen = new HashMap<>();
        int pages = target.length / PageSize.BYTES;
        ByteSink out = new ByteSink(target.length / 4);
        for (int p = 0; p < pages; p++) {
            int off = p * PageSize.BYTES;
            long h = hash(target, off);
            Integer b = basePage.get(h);
            if (b != null && same(base, b * PageSize.BYTES, target, off)) {
                out.put(1);
                out.putInt(b);
                continue;
            }
            Integer t = seen.putIfAbsent(h, p);
            if (t != null && same(target, t * PageSize.BYTES, target, off)) {
                out.put(2);
                out.putInt(t);
                continue;
            }
            out.put(0);
            out.put(target, off, PageSize.BYTES);
        }
        return out.toStored();
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
            } else if (kind == 1 || kind == 2) {
                int ref = in.getInt();
                if (ref < 0 || ref >= (kind == 1 ? basePages : p)) {
                    throw in.error("page " + p + " refers to page " + ref + " of the " + (kind == 1 ? "base" : "target")
                            + ", which is not there");
                }
                System.arraycopy(kind == 1 ? base : out, ref * PageSize.BYTES, out, dst, PageSize.BYTES);
            } else {
                throw in.error("page " + p + " has unknown kind " + kind);
            }
        }
        if (in.hasMore()) {
            throw in.error("bytes left after " + pages + " pages");
        }
        return DecodedPages.of(out);
    }

    /** Content hash of every page to the first page with that hash. */
    private static Map<Long, Integer> index(byte[] pages) {
        int n = pages.length / PageSize.BYTES;
        Map<Long, Integer> index = new HashMap<>(n * 2);
        for (int p = 0; p < n; p++) {
            index.putIfAbsent(hash(pages, p * PageSize.BYTES), p);
        }
        return index;
    }

    static long hash(byte[] a, int off) {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < PageSize.BYTES; i += 8) {
            h = Long.rotateLeft((h ^ (long) LONGS.get(a, off + i)) * 0xC2B2AE3D27D4EB4FL, 29);
        }
        return h ^ (h >>> 31);
    }

    static boolean same(byte[] a, int aOff, byte[] b, int bOff) {
        return Arrays.equals(a, aOff, aOff + PageSize.BYTES, b, bOff, bOff + PageSize.BYTES);
    }
}
