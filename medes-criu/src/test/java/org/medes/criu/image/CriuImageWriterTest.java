package org.medes.criu.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medes.core.page.OffHeap;
import org.medes.core.page.SandboxImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.medes.criu.image.Fixtures.*;

class CriuImageWriterTest {
    @TempDir
    Path root;

    @Test
    void unchangedPagesRewriteToAByteIdenticalDirectory() throws IOException {
        CriuImageDir d = CriuImageDir.open(Fixtures.chain(root));
        Path out = root.resolve("out");
        try (SandboxImage p1 = d.toSandboxImage(1, "p1"); SandboxImage p7 = d.toSandboxImage(7, "p7")) {
            CriuImageWriter.rewritePages(d, Map.of(1, p1, 7, p7), out);
        }
        try (var s = Files.list(d.dir())) {
            for (Path f : (Iterable<Path>) s::iterator) {
                Path g = out.resolve(f.getFileName().toString());
                if (Files.isSymbolicLink(f)) {
                    assertThat(Files.isSameFile(f, g)).isTrue();
                } else {
                    assertThat(Files.readAllBytes(g)).as(f.getFileName().toString()).isEqualTo(Files.readAllBytes(f));
                }
            }
        }
        assertThat(CriuImageDir.open(out).processes()).hasSize(3);
    }

    @Test
    void changedPresentPagesChangeOnlyTheirBytes() throws IOException {
        Path top = Fixtures.chain(root);
        CriuImageDir d = CriuImageDir.open(top);
        byte[] before = Files.readAllBytes(top.resolve("pages-1.img"));
        byte[] pagemapBefore = Files.readAllBytes(top.resolve("pagemap-1.img"));
        Path out = root.resolve("out");
        try (SandboxImage p1 = modified(d, 1, List.of(DATA + 3L * P, STACK + 2L * P), 0x5a)) {
            CriuImageWriter.rewritePages(d, Map.of(1, p1), out);
            byte[] after = Files.readAllBytes(out.resolve("pages-1.img"));
            assertThat(after).hasSameSizeAs(before);
            // pages-1.img of d2 holds DATA 0..7, HEAP 4..5, STACK 0..3 in that order
            int[] changedSlots = {3, 8 + 2 + 2};
            for (int slot = 0; slot < before.length / P; slot++) {
                boolean changed = slot == changedSlots[0] || slot == changedSlots[1];
                byte[] a = java.util.Arrays.copyOfRange(before, slot * P, slot * P + P);
                byte[] b = java.util.Arrays.copyOfRange(after, slot * P, slot * P + P);
                if (changed) {
                    assertThat(b).as("slot %d", slot).containsOnly((byte) 0x5a);
                } else {
                    assertThat(b).as("slot %d", slot).isEqualTo(a);
                }
            }
            assertThat(Files.readAllBytes(out.resolve("pagemap-1.img"))).isEqualTo(pagemapBefore);
            try (SandboxImage back = CriuImageDir.open(out).toSandboxImage(1, "back")) {
                assertThat(back.contentEquals(p1)).isTrue();
            }
        }
    }

    @Test
    void aChangedParentPageMovesIntoThisImageAndSplitsItsEntry() throws IOException {
        Path top = Fixtures.chain(root);
        CriuImageDir d = CriuImageDir.open(top);
        byte[] d1Pages = Files.readAllBytes(root.resolve("d1/pages-1.img"));
        try (SandboxImage p1 = modified(d, 1, List.of(CODE + 5L * P), 0x33)) {
            CriuImageWriter.rewritePages(d, Map.of(1, p1), top);
            CriuImageDir again = CriuImageDir.open(top);
            List<PagemapEntry> e = again.process(1).pagemap().entries();
            assertThat(e.subList(0, 3)).containsExactly(PagemapEntry.of(CODE, 5, PARENT),
                    PagemapEntry.of(CODE + 5L * P, 1, PRESENT), PagemapEntry.of(CODE + 6L * P, 2, PARENT));
            try (SandboxImage back = again.toSandboxImage(1, "back")) {
                assertThat(back.contentEquals(p1)).isTrue();
            }
            // the new present page comes first in pages-1.img, the rest follow unchanged
            byte[] pages = Files.readAllBytes(top.resolve("pages-1.img"));
            assertThat(java.util.Arrays.copyOfRange(pages, 0, P)).containsOnly((byte) 0x33);
            assertThat(java.util.Arrays.copyOfRange(pages, P, P + P)).isEqualTo(content(2, 1, DATA));
        }
        assertThat(Files.readAllBytes(root.resolve("d1/pages-1.img"))).as("parent untouched").isEqualTo(d1Pages);
    }

    @Test
    void refusesAReplacementWithOtherPages() throws IOException {
        CriuImageDir d = CriuImageDir.open(Fixtures.chain(root));
        try (SandboxImage p7 = d.toSandboxImage(7, "p7")) {
            assertThatThrownBy(() -> CriuImageWriter.rewritePages(d, Map.of(1, p7), root.resolve("out")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("should be at 0x");
        }
    }

    /** The stored pages of {@code pid} with the pages at {@code vaddrs} filled with {@code fill}. */
    static SandboxImage modified(CriuImageDir d, int pid, List<Long> vaddrs, int fill) throws IOException {
        try (SandboxImage src = d.toSandboxImage(pid, "src")) {
            SandboxImage.Builder b = SandboxImage.builder("mod");
            src.mappings().forEach(b::addMapping);
            for (int i = 0; i < src.pageCount(); i++) {
                long a = b.reservePage(src.pageVaddr(i));
                OffHeap.copy(src.pageAddress(i), a, P);
                if (vaddrs.contains(src.pageVaddr(i))) {
                    for (int o = 0; o < P; o++) {
                        OffHeap.putByte(a + o, (byte) fill);
                    }
                }
            }
            return b.build();
        }
    }
}
