package org.medes.core.engine;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import org.medes.core.base.BaseSandboxes;
import org.medes.core.image.DedupImage;
import org.medes.core.page.Mapping;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;
import org.medes.core.registry.FingerprintRegistry;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** restore(dedup(x)) == x for images mixing every kind of page, any thread count. */
class DedupRoundTripPropertiesTest {
    enum Kind { RANDOM, ZERO, IDENTICAL, SHIFTED, POINTER_SHIFTED, SPARSE_EDIT }

    static final long BASE_START = 0x7f00_0000_0000L;
    static final long DELTA = 0x1234_5000L;
    static final int PAGES = 40;

    @Provide
    Arbitrary<List<Kind>> kinds() {
        return Arbitraries.of(Kind.class).list().ofSize(PAGES);
    }

    @Property(tries = 60)
    void restoreOfDedupIsTheOriginal(@ForAll("kinds") List<Kind> kinds, @ForAll long seed,
                                     @ForAll @IntRange(min = 1, max = 4) int threads,
                                     @ForAll @IntRange(min = 0, max = 3) int zstdLevel) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        byte[][] basePages = new byte[PAGES][];
        for (int p = 0; p < PAGES; p++) {
            basePages[p] = pointerPage(r, BASE_START);
        }
        SandboxImage.Builder bb = SandboxImage.builder("base");
        bb.addMapping(Mapping.anonymous(BASE_START, (long) PAGES * PageSize.BYTES));
        for (int p = 0; p < PAGES; p++) {
            bb.addPage(BASE_START + (long) p * PageSize.BYTES, basePages[p], 0);
        }
        long targetStart = BASE_START + DELTA;
        SandboxImage.Builder tb = SandboxImage.builder("target");
        tb.addMapping(Mapping.anonymous(targetStart, (long) PAGES * PageSize.BYTES));
        for (int p = 0; p < PAGES; p++) {
            byte[] page = switch (kinds.get(p)) {
                case RANDOM -> { byte[] b = new byte[PageSize.BYTES]; r.nextBytes(b); yield b; }
                case ZERO -> new byte[PageSize.BYTES];
                case IDENTICAL -> basePages[p].clone();
                case SHIFTED -> {
                    byte[] b = new byte[PageSize.BYTES];
                    int k = r.nextInt(1, 200);
                    System.arraycopy(basePages[p], 0, b, k, PageSize.BYTES - k);
                    yield b;
                }
                case POINTER_SHIFTED -> relocate(basePages[p], DELTA);
                case SPARSE_EDIT -> {
                    byte[] b = relocate(basePages[p], DELTA);
                    for (int i = 0; i < 5; i++) {
                        b[r.nextInt(PageSize.BYTES)] = (byte) r.nextInt();
                    }
                    yield b;
                }
            };
            tb.addPage(targetStart + (long) p * PageSize.BYTES, page, 0);
        }
        try (FingerprintRegistry registry = TestRegistries.newRegistry();
             BaseSandboxes bases = BaseSandboxes.builder().registry(registry).build();
             DedupEngine engine = DedupEngine.builder().threads(threads).zstdLevel(zstdLevel).build();
             SandboxImage target = tb.build()) {
            bases.addBase("fn", bb.build());
            try (DedupImage d = engine.dedup(target, registry, bases);
                 DedupImage reread = DedupImage.fromBytes(d.toByteArray(), "copy");
                 SandboxImage back = engine.restore(reread, bases)) {
                assertThat(back.mappings()).isEqualTo(target.mappings());
                assertThat(back.firstDifferentPage(target)).isEqualTo(-1);
            }
        }
    }

    /** A page whose words are mostly pointers into the base mapping, some small ints and text. */
    static byte[] pointerPage(SplittableRandom r, long start) {
        ByteBuffer b = ByteBuffer.allocate(PageSize.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int w = 0; w < PageSize.WORDS; w++) {
            int k = r.nextInt(4);
            b.putLong(k == 0 ? r.nextInt(100) : k == 1 ? r.nextLong() : start + 8L * r.nextInt(PAGES * PageSize.WORDS));
        }
        return b.array();
    }

    static byte[] relocate(byte[] page, long delta) {
        ByteBuffer in = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(PageSize.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long end = BASE_START + (long) PAGES * PageSize.BYTES;
        for (int w = 0; w < PageSize.WORDS; w++) {
            long v = in.getLong(w * 8);
            out.putLong(w * 8, v >= BASE_START && v < end ? v + delta : v);
        }
        return out.array();
    }
}
