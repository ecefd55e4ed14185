package org.medes.core.fingerprint;

import net.openhft.hashing.LongHashFunction;
import org.medes.core.page.PageSize;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Fingerprints a 4 KiB page by value sampling: a small set of hashes of the page's 64 B chunks,
 * chosen by the chunks' own content so identical content is sampled wherever it sits.
 *
 * <h2>The rule</h2>
 * <ol>
 *   <li>The page is split into 64 chunks of 64 B. Let {@code v} be the chunk's last two bytes
 *       read as an unsigned little-endian 16-bit value (bytes 62 and 63 of the chunk).</li>
 *   <li>The chunk is <em>sampled</em> when {@code v != 0} and
 *       {@code ((v * 0x9E37) & 0xFFFF) < 0x4000}: a fixed bijective mix of {@code v} whose top two
 *       bits are zero, so a quarter of the non-zero values qualify. An all-zero chunk has
 *       {@code v == 0} and is never sampled; neither is a chunk ending in a small integer or a
 *       user-space pointer (their top bytes are zero), which ASLR or counters make unstable.</li>
 *   <li>Each sampled chunk is hashed with XXH3-64 (seed 0) over its 64 bytes.</li>
 *   <li>The fingerprint is the {@code k} smallest distinct hashes (unsigned order, default
 *       k = {@value #DEFAULT_K}), in ascending order. Choosing the smallest instead of the first
 *       keeps the choice independent of where content sits in the page. A page with fewer than
 *       {@code k} distinct sampled chunks has that many hashes, possibly none.</li>
 * </ol>
 * Known-answer vectors are in {@code src/test/resources/fingerprint-vectors.txt}, made by the
 * independent Python implementation {@code tools/fingerprint_vectors.py}.
 *
 * <p>Thread-safety: immutable and allocation-free; share one instance.
 */
public final class ValueSampledFingerprinter {
    /** Default number of chunk hashes per page, as in the paper. */
    public static final int DEFAULT_K = 5;
    /** Multiplier of the sampling mix. */
    public static final int MIX = 0x9E37;
    /** Mixed values below this are sampled: a quarter of the 16-bit space. */
    public static final int THRESHOLD = 0x4000;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final LongHashFunction XX3 = LongHashFunction.xx3();

    private final int k;

    public ValueSampledFingerprinter() {
        this(DEFAULT_K);
    }

    /** A fingerprinter keeping up to {@code k} (1..64) hashes per page. */
    public ValueSampledFingerprinter(int k) {
        if (k < 1 || k > PageSize.CHUNKS_PER_PAGE) {
            throw new IllegalArgumentException("k must be in 1.." + PageSize.CHUNKS_PER_PAGE + ", was " + k);
        }
        this.k = k;
    }

    /** Maximum hashes per page. */
    public int k() {
        return k;
    }

    /** True when a chunk whose last two bytes form {@code v} (little-endian) is sampled. */
    public static boolean isSampled(int v) {
        return v != 0 && ((v * MIX) & 0xFFFF) < THRESHOLD;
    }

    /**
     * Fingerprints {@code page[off..off+4096)} into {@code out[outOff..outOff+k)}.
     *
     * @return the number of hashes written (0..k), ascending in unsigned order
     */
    public int fingerprint(byte[] page, int off, long[] out, int outOff) {
        if (off < 0 || off + PageSize.BYTES > page.length) {
            throw new IndexOutOfBoundsException("page range " + off + "+4096 outside array of " + page.length);
        }
        if (outOff < 0 || outOff + k > out.length) {
            throw new IndexOutOfBoundsException("output range " + outOff + "+" + k + " outside array of " + out.length);
        }
        int n = 0;
        for (int c = off; c < off + PageSize.BYTES; c += PageSize.CHUNK_BYTES) {
            long last = (long) LONGS.get(page, c + PageSize.CHUNK_BYTES - 8);
            int v = (int) (last >>> 48);
            if (v == 0 || ((v * MIX) & 0xFFFF) >= THRESHOLD) {
                continue;
            }
            long h = XX3.hashBytes(page, c, PageSize.CHUNK_BYTES);
            n = insertSmallest(out, outOff, n, h);
        }
        return n;
    }

    /** Fingerprints a page of native memory at {@code address}; same rule and output as above. */
    public int fingerprintMemory(long address, long[] out, int outOff) {
        if (outOff < 0 || outOff + k > out.length) {
            throw new IndexOutOfBoundsException("output range " + outOff + "+" + k + " outside array of " + out.length);
        }
        int n = 0;
        for (long c = address; c < address + PageSize.BYTES; c += PageSize.CHUNK_BYTES) {
            int v = Short.toUnsignedInt(org.medes.core.page.OffHeap.getShort(c + PageSize.CHUNK_BYTES - 2));
            if (v == 0 || ((v * MIX) & 0xFFFF) >= THRESHOLD) {
                continue;
            }
            long h = XX3.hashMemory(c, PageSize.CHUNK_BYTES);
            n = insertSmallest(out, outOff, n, h);
        }
        return n;
    }

    /** Convenience form returning a {@link Fingerprint}. */
    public Fingerprint fingerprint(byte[] page) {
        long[] out = new long[k];
        int n = fingerprint(page, 0, out, 0);
        return new Fingerprint(java.util.Arrays.copyOf(out, n));
    }

    /** Keeps out[outOff..outOff+n) the n smallest distinct values seen, ascending; returns the new n. */
    private int insertSmallest(long[] out, int outOff, int n, long h) {
        int i = n;
        while (i > 0 && Long.compareUnsigned(out[outOff + i - 1], h) > 0) {
            i--;
        }
        if (i > 0 && out[outOff + i - 1] == h) {
            return n; // duplicate chunk content within the page
        }
        if (i >= k) {
            return n;
        }
        int last = Math.min(n, k - 1);
        for (int j = last; j > i; j--) {
            out[outOff + j] = out[outOff + j - 1];
        }
        out[outOff + i] = h;
        return Math.min(n + 1, k);
    }
}
