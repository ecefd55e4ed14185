package org.medes.core.fingerprint;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;
import net.openhft.chronicle.bytes.BytesStore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValueSampledFingerprinterTest {

    record Vector(String name, int k, byte[] page, long[] hashes) {
    }

    static List<Vector> vectors() throws IOException {
        List<Vector> out = new ArrayList<>();
        try (var in = ValueSampledFingerprinterTest.class.getResourceAsStream("/fingerprint-vectors.txt");
             var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split(" ");
                long[] h = new long[f.length - 3];
                for (int i = 0; i < h.length; i++) {
                    h[i] = Long.parseUnsignedLong(f[3 + i], 16);
                }
                out.add(new Vector(f[0], Integer.parseInt(f[1]), HexFormat.of().parseHex(f[2]), h));
            }
        }
        return out;
    }

    @Test
    void matchesTheIndependentPythonImplementation() throws IOException {
        List<Vector> vectors = vectors();
        assertThat(vectors).hasSizeGreaterThanOrEqualTo(24);
        for (Vector v : vectors) {
            ValueSampledFingerprinter fp = new ValueSampledFingerprinter(v.k());
            long[] out = new long[v.k()];
            int n = fp.fingerprint(v.page(), 0, out, 0);
            assertThat(java.util.Arrays.copyOf(out, n)).as(v.name() + " k=" + v.k()).containsExactly(v.hashes());
        }
    }

    @Test
    void nativeMemoryGivesTheSameFingerprintAsArrays() throws IOException {
        BytesStore<?, Void> store = BytesStore.nativeStoreWithFixedCapacity(PageSize.BYTES);
        try {
            long address = store.addressForRead(0);
            for (Vector v : vectors()) {
                OffHeap.copyFromArray(v.page(), 0, address, PageSize.BYTES);
                ValueSampledFingerprinter fp = new ValueSampledFingerprinter(v.k());
                long[] out = new long[v.k()];
                int n = fp.fingerprintMemory(address, out, 0);
                assertThat(java.util.Arrays.copyOf(out, n)).as(v.name()).containsExactly(v.hashes());
            }
        } finally {
            store.releaseLast();
        }
    }

    @Test
    void zeroPageHasNoHashes() {
        assertThat(new ValueSampledFingerprinter().fingerprint(new byte[PageSize.BYTES]).size()).isZero();
    }

    @Test
    void samplingRuleTakesAQuarterOfNonZeroEndings() {
        int sampled = 0;
        for (int v = 0; v < 65536; v++) {
            if (ValueSampledFingerprinter.isSampled(v)) {
                sampled++;
            }
        }
        assertThat(ValueSampledFingerprinter.isSampled(0)).isFalse();
        assertThat(sampled).isEqualTo(16384 - 1); // v = 0 mixes to 0 but is excluded
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new ValueSampledFingerprinter(0)).hasMessageContaining("k must be");
        assertThatThrownBy(() -> new ValueSampledFingerprinter().fingerprint(new byte[100], 0, new long[5], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new ValueSampledFingerprinter().fingerprint(new byte[4096], 0, new long[3], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** Sampled content is found wherever it sits: moving whole chunks keeps the fingerprint. */
    @Property(tries = 200)
    void fingerprintIgnoresWhereChunksSit(@ForAll long seed, @ForAll @IntRange(min = 1, max = 63) int rotateChunks) {
        byte[] page = randomPage(seed);
        byte[] rotated = new byte[PageSize.BYTES];
        int shift = rotateChunks * PageSize.CHUNK_BYTES;
        System.arraycopy(page, 0, rotated, shift, PageSize.BYTES - shift);
        System.arraycopy(page, PageSize.BYTES - shift, rotated, 0, shift);
        ValueSampledFingerprinter fp = new ValueSampledFingerprinter();
        assertThat(fp.fingerprint(rotated)).isEqualTo(fp.fingerprint(page));
    }

    @Property(tries = 200)
    void hashesAreAscendingDistinctAndAtMostK(@ForAll long seed, @ForAll @IntRange(min = 1, max = 64) int k) {
        long[] h = new ValueSampledFingerprinter(k).fingerprint(randomPage(seed)).hashes();
        assertThat(h.length).isLessThanOrEqualTo(k);
        for (int i = 1; i < h.length; i++) {
            assertThat(Long.compareUnsigned(h[i - 1], h[i])).isNegative();
        }
    }

    /**
     * A random page has about 16 sampled chunks (a quarter of 64), so k = 5 is filled unless the
     * page happens to have fewer: the size is min(5, sampled chunks), counted here by the rule as
     * documented (bytes 62 and 63 of each chunk, little-endian), not by the class's own method.
     */
    @Property(tries = 100)
    void randomPagesFillAllFiveSlotsWhenFiveChunksAreSampled(@ForAll long seed) {
        byte[] page = randomPage(seed);
        java.util.Set<String> sampled = new java.util.HashSet<>();
        for (int c = 0; c < PageSize.BYTES; c += 64) {
            int v = (page[c + 62] & 0xFF) | (page[c + 63] & 0xFF) << 8;
            if (v != 0 && ((v * 0x9E37) & 0xFFFF) < 0x4000) {
                sampled.add(HexFormat.of().formatHex(page, c, c + 64));
            }
        }
        assertThat(new ValueSampledFingerprinter().fingerprint(page).size()).isEqualTo(Math.min(5, sampled.size()));
    }

    static byte[] randomPage(long seed) {
        byte[] b = new byte[PageSize.BYTES];
        new Random(seed).nextBytes(b);
        return b;
    }
}
