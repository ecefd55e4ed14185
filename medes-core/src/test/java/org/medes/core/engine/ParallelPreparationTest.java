package org.medes.core.engine;

import org.medes.core.base.BaseSandboxes;
import org.medes.core.page.SandboxImage;
import org.medes.core.registry.FingerprintRegistry;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The steps between dedup's parallel phases give the same result however their loops run. */
class ParallelPreparationTest {
    /** One after another on the calling thread. */
    private static final ParallelLoop SERIAL = (n, task) -> {
        for (int i = 0; i < n; i++) {
            task.run(i);
        }
    };

    /** Runs the tasks concurrently, last index first. */
    private static final ParallelLoop REVERSED_CONCURRENT = (n, task) -> {
        ForkJoinPool pool = new ForkJoinPool(4);
        try {
            pool.submit(() -> IntStream.range(0, n).map(i -> n - 1 - i).parallel().forEach(i -> {
                try {
                    task.run(i);
                } catch (org.medes.core.base.BasePageUnavailableException e) {
                    throw new IllegalStateException(e);
                }
            })).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            pool.shutdown();
        }
    };

    /** {@code image} with the content of mapping {@code m} moved two pages down (its last two pages zero). */
    private static SandboxImage slidByTwoPages(SandboxImage image, int m) {
        SandboxImage.Builder b = SandboxImage.builder(image.id() + "-slid");
        image.mappings().forEach(b::addMapping);
        for (int p = 0; p < image.pageCount(); p++) {
            long at = b.reservePage(image.pageVaddr(p));
            boolean inM = image.pageMapping(p) == m;
            if (!inM) {
                org.medes.core.page.OffHeap.copy(image.pageAddress(p), at, org.medes.core.page.PageSize.BYTES);
            } else if (p + 2 < image.pageCount() && image.pageMapping(p + 2) == m) {
                org.medes.core.page.OffHeap.copy(image.pageAddress(p + 2), at, org.medes.core.page.PageSize.BYTES);
            }
        }
        return b.build();
    }

    @Test
    void contentPairingAndPageAlignmentDoNotDependOnHowTheirLoopsRun() throws Exception {
        try (FingerprintRegistry registry = TestRegistries.newRegistry();
             BaseSandboxes bases = BaseSandboxes.builder().registry(registry).build();
             SandboxImage unslid = SyntheticSandboxes.instance("t", 11, 12, 0.05, true, 4);
             SandboxImage target = slidByTwoPages(unslid, 2)) {
            int b = bases.addBase("fn", SyntheticSandboxes.instance("b", 11, 13, 0, true, 4));
            var layout = bases.layout(b);
            MappingAlignment byOrder = MappingAlignment.align(target.mappings(), layout.mappings());
            MappingAlignment serial = ContentPairing.refine(byOrder, target, layout, b, bases, SERIAL);
            MappingAlignment concurrent = ContentPairing.refine(byOrder, target, layout, b, bases, REVERSED_CONCURRENT);
            assertThat(concurrent.pairsByTarget()).isEqualTo(serial.pairsByTarget());
            assertThat(serial.pairs()).isEqualTo(target.mappings().size());

            PageAlignment one = PageAlignment.prepare(target, layout, b, serial, bases, SERIAL);
            PageAlignment other = PageAlignment.prepare(target, layout, b, serial, bases, REVERSED_CONCURRENT);
            int[] a = new int[PageAlignment.maxCandidates()];
            int[] c = new int[PageAlignment.maxCandidates()];
            int slid = 0;
            for (int p = 0; p < target.pageCount(); p++) {
                int n = one.candidates(p, a);
                assertThat(other.candidates(p, c)).as("page %d", p).isEqualTo(n);
                assertThat(java.util.Arrays.copyOf(c, n)).as("page %d", p).isEqualTo(java.util.Arrays.copyOf(a, n));
                slid += n > 1 ? 1 : 0;
            }
            assertThat(slid).as("pages with a slid candidate (the target's content slid in some pages)").isPositive();
        }
    }
}
