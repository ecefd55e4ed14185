package org.medes.core.engine;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.medes.core.base.BaseSandboxes;
import org.medes.core.image.DedupImage;
import org.medes.core.image.DedupImageFormatException;
import org.medes.core.page.SandboxImage;
import org.medes.core.registry.FingerprintRegistry;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Corrupt dedup images never become wrong pages: random bytes of a real dedup image (blocks
 * compressed with zstd, and stored) are changed and the whole-file checksum recomputed, so only
 * the deeper checks stand between the change and a restore. Opening must fail with
 * {@link DedupImageFormatException}, or the restore with {@link PageRestoreException}, or the
 * restore must give back exactly the original pages (a change in padding or in a field the
 * restore does not need); any other exception or a wrong page fails the property.
 */
class DedupImageFuzzTest {
    private static FingerprintRegistry registry;
    private static BaseSandboxes bases;
    private static DedupEngine engine;
    private static SandboxImage target;
    private static SandboxImage numbers;
    private static byte[][] images;
    /** The sandbox each of {@link #images} was made from. */
    private static SandboxImage[] targets;

    @BeforeContainer
    static void setUp() throws Exception {
        registry = TestRegistries.newRegistry();
        bases = BaseSandboxes.builder().registry(registry).build();
        bases.addBase("fn", SyntheticSandboxes.instance("base", 42, 1, 0, false));
        engine = DedupEngine.builder().threads(2).build();
        target = SyntheticSandboxes.instance("target", 42, 2, 0.02, true);
        // and pages no base matches, a third of them regrouped by byte place across their block
        numbers = SyntheticSandboxes.numbers("numbers", 300, 5);
        try (DedupEngine stored = DedupEngine.builder().threads(1).zstdLevel(0).build();
             DedupImage zstd = engine.dedup(target, registry, bases);
             DedupImage plain = stored.dedup(target, registry, bases);
             DedupImage shuffled = engine.dedup(numbers, registry, bases)) {
            assertThat(shuffled.kindCounts().get(org.medes.core.image.PageKind.SHUFFLED)).isEqualTo(100);
            images = new byte[][] {zstd.toByteArray(), plain.toByteArray(), shuffled.toByteArray()};
            targets = new SandboxImage[] {target, target, numbers};
        }
    }

    @AfterContainer
    static void tearDown() {
        engine.close();
        target.close();
        numbers.close();
        bases.close();
        registry.close();
    }

    record Mutation(int image, List<Integer> offsets, List<Integer> xors) {
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<Integer> image = Arbitraries.integers().between(0, 2);
        Arbitrary<List<Integer>> offsets = Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMinSize(1).ofMaxSize(4);
        Arbitrary<List<Integer>> xors = Arbitraries.integers().between(1, 255).list().ofSize(4);
        return Combinators.combine(image, offsets, xors).as(Mutation::new);
    }

    /** With the file checksum recomputed: a change is refused, or restores exactly the original. */
    @Property(tries = 300)
    void changedBytesAreRefusedOrHarmless(@ForAll("mutations") Mutation m) throws Exception {
        byte[] bytes = mutated(m);
        DedupEngineTest.resealFile(bytes);
        try (SandboxImage back = restoreUnlessRefused(bytes)) {
            if (back != null) {
                SandboxImage original = targets[m.image()];
                assertThat(back.mappings()).isEqualTo(original.mappings());
                assertThat(back.firstDifferentPage(original)).as("first wrong page").isEqualTo(-1);
            }
        }
    }

    /**
     * With both checksums recomputed (the deeper parsers see the change): opening and restoring
     * fail only with their declared exceptions, never another exception or a hang; pages whose
     * content the page table still names are checked as always.
     */
    @Property(tries = 300)
    void changedTablesBehindBothChecksumsFailCleanly(@ForAll("mutations") Mutation m) throws Exception {
        byte[] bytes = mutated(m);
        DedupEngineTest.reseal(bytes);
        try (SandboxImage back = restoreUnlessRefused(bytes)) {
            // refused (null) or restored: either way no other exception
        }
    }

    /**
     * Found by the property above (seed -5461291004235201312, shrunk): byte 23, the top byte of the
     * header's mapping count, xor 112 made the count about 1.9 billion, and opening the image sized a
     * list by it and failed with OutOfMemoryError instead of refusing the image.
     */
    @Example
    void aHugeMappingCountIsRefusedNotAllocated() throws Exception {
        changedTablesBehindBothChecksumsFailCleanly(new Mutation(0, List.of(10, 23), List.of(1, 112, 8, 75)));
    }

    /**
     * The restore of the dedup image {@code bytes}, or null when opening it refused it with
     * {@link DedupImageFormatException} or the restore with {@link PageRestoreException}.
     */
    private static SandboxImage restoreUnlessRefused(byte[] bytes) throws Exception {
        try (DedupImage d = DedupImage.fromBytes(bytes, "mutated")) {
            try {
                return engine.restore(d, bases);
            } catch (PageRestoreException refused) {
                return null;
            } finally {
                bases.release(d.id());
            }
        } catch (DedupImageFormatException refused) {
            return null;
        }
    }

    private static byte[] mutated(Mutation m) {
        byte[] bytes = images[m.image()].clone();
        int body = bytes.length - 16; // the trailer (checksum, end magic) is recomputed / kept
        for (int i = 0; i < m.offsets().size(); i++) {
            bytes[m.offsets().get(i) % body] ^= m.xors().get(i).byteValue();
        }
        return bytes;
    }

    @Property(tries = 100)
    void truncatedImagesAreRefused(@ForAll("mutations") Mutation m) {
        byte[] whole = images[m.image()];
        int length = m.offsets().get(0) % whole.length;
        byte[] cut = java.util.Arrays.copyOf(whole, length);
        try {
            DedupImage.fromBytes(cut, "cut").close();
            throw new AssertionError("a dedup image cut to " + length + " of " + whole.length + " bytes was accepted");
        } catch (DedupImageFormatException expected) {
            assertThat(expected.getMessage()).contains("cut");
        }
    }
}
