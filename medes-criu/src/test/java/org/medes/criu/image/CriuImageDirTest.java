package org.medes.criu.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medes.core.page.Mapping;
import org.medes.core.page.SandboxImage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.medes.criu.image.Fixtures.*;

class CriuImageDirTest {
    @TempDir
    Path root;

    @Test
    void opensTheChainWithItsProcessesAndParents() throws IOException {
        CriuImageDir d = CriuImageDir.open(Fixtures.chain(root));
        assertThat(d.processes()).extracting(CriuProcess::pid).containsExactly(1, 7, 9);
        assertThat(d.process(1).vmas()).isEqualTo(vmas1());
        assertThat(d.process(1).tree().threads()).containsExactly(1, 2);
        assertThat(d.process(9).hasMemory()).isFalse();
        assertThat(d.parent()).isPresent();
        assertThat(d.parent().get().parent()).isPresent();
        assertThat(d.parent().get().parent().get().parent()).isEmpty();
        assertThat(d.parent().get().parent().get().depth()).isEqualTo(2);
        assertThat(d.inventory().get().imgVersion()).isEqualTo(InventoryEntry.CRTOOLS_IMAGES_V1_1);
        // CODE 0..3 from level 0, 4..7 from level 1; DATA 8..15 two levels up
        assertThat(d.pageRuns(1)).contains(
                new PageRun(CODE, 4, root.resolve("d2/parent/parent/pages-1.img"), 0, 2),
                new PageRun(CODE + 4L * P, 4, root.resolve("d2/parent/pages-1.img"), 0, 1),
                new PageRun(DATA + 8L * P, 8, root.resolve("d2/parent/parent/pages-1.img"), 16L * P, 2));
    }

    @Test
    void sandboxImageHoldsExactlyTheStoredPages() throws IOException {
        CriuImageDir d = CriuImageDir.open(Fixtures.chain(root));
        for (int pid : new int[] {1, 7}) {
            TreeMap<Long, byte[]> want = Fixtures.expected(pid);
            try (SandboxImage img = d.toSandboxImage(pid, "p" + pid)) {
                assertThat(img.pageCount()).isEqualTo(want.size());
                assertThat(d.storedPages(pid)).isEqualTo(want.size());
                int i = 0;
                for (Map.Entry<Long, byte[]> e : want.entrySet()) {
                    assertThat(img.pageVaddr(i)).as("page %d of %d", i, pid).isEqualTo(e.getKey());
                    assertThat(img.page(i)).as("page 0x%x of %d", e.getKey(), pid).isEqualTo(e.getValue());
                    i++;
                }
                assertThat(img.findPage(DATA + 16L * P)).as("lazy-only page").isEqualTo(-1);
            }
        }
        try (SandboxImage img = d.toSandboxImage(1, "p1")) {
            assertThat(img.mappings()).hasSize(4);
            assertThat(img.mappings().get(0)).isEqualTo(new Mapping(CODE, 16L * P, Mapping.READ | Mapping.EXEC, "/usr/bin/fixture", 0x1000));
            assertThat(img.mappings().get(2).name()).isEqualTo("[heap]");
            assertThat(img.mappings().get(3).name()).isEqualTo("[stack]");
            assertThat(img.mappings().get(1)).isEqualTo(Mapping.anonymous(DATA, 32L * P));
        }
    }

    @Test
    void everyEntryFileRoundTripsByteForByteThroughFramesAndMessages() throws IOException {
        Path top = Fixtures.chain(root);
        List<Path> files = new ArrayList<>();
        for (String d : new String[] {"d0", "d1", "d2"}) {
            try (var s = Files.list(root.resolve(d))) {
                s.filter(p -> p.toString().endsWith(".img") && !p.getFileName().toString().startsWith("pages-")
                        && !p.getFileName().toString().equals("files.img")) // read only, never written back
                        .forEach(files::add);
            }
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(9);
        for (Path f : files) {
            String name = f.getFileName().toString();
            ImageHeader.Kind kind = name.startsWith("inventory") ? ImageHeader.Kind.INVENTORY
                    : name.startsWith("pstree") ? ImageHeader.Kind.PSTREE
                    : name.startsWith("mm-") ? ImageHeader.Kind.MM : ImageHeader.Kind.PAGEMAP;
            byte[] bytes = Files.readAllBytes(f);
            EntryFile ef = EntryFile.read(f, kind, kind != ImageHeader.Kind.INVENTORY);
            assertThat(ef.toBytes()).as(name).isEqualTo(bytes);
            List<byte[]> reencoded = new ArrayList<>();
            for (int i = 0; i < ef.frames().size(); i++) {
                EntryFile.Frame fr = ef.frames().get(i);
                ProtoReader r = fr.reader(f);
                byte[] again = switch (kind) {
                    case INVENTORY -> InventoryEntry.decode(r).encode();
                    case PSTREE -> PstreeEntry.decode(r).encode();
                    case MM -> MmEntry.decode(r).encode();
                    case PAGEMAP -> i == 0 ? PagemapHead.decode(r).encode() : PagemapEntry.decode(r).encode();
                    case FILES -> throw new AssertionError("files.img is left out above");
                };
                reencoded.add(again);
            }
            assertThat(ef.withMessages(reencoded).toBytes()).as(name + " re-encoded").isEqualTo(bytes);
        }
        assertThat(CriuImageDir.open(top).process(1).mm().unknown().fields()).extracting(UnknownFields.Field::number)
                .containsExactly(13, 13, 15);
    }

    @Test
    void readsCriuFourPagemapBytesAsCriuWritesThem() throws IOException {
        // vaddr 0x400000, compat_nr_pages 0, flags PE_PRESENT, nr_pages 3: as criu/page-xfer.c writes it
        byte[] msg = {0x08, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x02, 0x10, 0x00, 0x20, 0x04, 0x28, 0x03};
        PagemapEntry e = PagemapEntry.decode(new ProtoReader(msg, 0, msg.length, Path.of("x"), 0));
        assertThat(e.vaddr()).isEqualTo(0x400000);
        assertThat(e.pageCount()).isEqualTo(3);
        assertThat(e.flagsEffective()).isEqualTo(PRESENT);
        assertThat(e.encode()).isEqualTo(msg);
        // as CRIU 4.1 writes it: the count in compat_nr_pages only (it reads nothing else)
        byte[] v41 = {0x08, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x02, 0x10, 0x03, 0x20, 0x04};
        PagemapEntry e41 = PagemapEntry.decode(new ProtoReader(v41, 0, v41.length, Path.of("x"), 0));
        assertThat(e41.pageCount()).isEqualTo(3);
        // what this library writes carries the count both ways, so that either CRIU reads 3 pages
        byte[] both = {0x08, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x02, 0x10, 0x03, 0x20, 0x04, 0x28, 0x03};
        assertThat(PagemapEntry.of(0x400000, 3, PRESENT).encode()).isEqualTo(both);
        assertThat(e41.with(0x400000, 3, PRESENT).encode()).isEqualTo(both);
        // an old entry: in_parent, no flags, compat_nr_pages only
        byte[] old = {0x08, (byte) 0x80, 0x20, 0x10, 0x05, 0x18, 0x01};
        PagemapEntry o = PagemapEntry.decode(new ProtoReader(old, 0, old.length, Path.of("x"), 0));
        assertThat(o.flagsEffective()).isEqualTo(PARENT);
        assertThat(o.pageCount()).isEqualTo(5);
        assertThat(o.encode()).isEqualTo(old);
    }

    // ---- errors: each names the file, the offset and the reason ----

    @Test
    void badMagic() throws IOException {
        Path top = Fixtures.chain(root);
        Path pm = top.resolve("pagemap-1.img");
        patch(pm, 4, 0xdeadbeef);
        assertError(top, pm, 4, "bad pagemap magic 0xdeadbeef");
        patch(top.resolve("inventory.img"), 0, ImageHeader.IMG_COMMON_MAGIC);
        assertError(top, top.resolve("inventory.img"), 0, "bad inventory magic");
    }

    @Test
    void truncatedEntryAndLengthPastEnd() throws IOException {
        Path top = Fixtures.chain(root);
        Path tree = top.resolve("pstree.img");
        byte[] b = Files.readAllBytes(tree);
        Files.write(tree, java.util.Arrays.copyOf(b, b.length - 2));
        // the last entry's size prefix now runs past the end
        assertThatThrownBy(() -> CriuImageDir.open(top)).isInstanceOf(CriuImageFormatException.class)
                .hasMessageContaining("pstree.img").hasMessageContaining("runs past the end of the file");
        Files.write(tree, java.util.Arrays.copyOf(b, 10));
        assertError(top, tree, 8, "truncated entry size: 2 bytes left");
        // a huge size field is refused before anything is allocated
        Files.write(tree, b);
        patch(tree, 8, 0xfffffff0);
        assertError(top, tree, 8, "entry size 4294967280 runs past the end of the file");
    }

    @Test
    void pagemapPointingPastThePagesFile() throws IOException {
        Path top = Fixtures.chain(root);
        Path pages = top.resolve("pages-1.img");
        byte[] b = Files.readAllBytes(pages);
        Files.write(pages, java.util.Arrays.copyOf(b, b.length - P));
        CriuImageFormatException e = openFails(top);
        assertThat(e.file()).isEqualTo(top.resolve("pagemap-1.img"));
        assertThat(e.reason()).contains("points past the end of pages-1.img");
        assertThat(e.offset()).isPositive();
    }

    @Test
    void overlappingUnsortedAndMisalignedPagemaps() throws IOException {
        Path top = Fixtures.chain(root);
        rewritePagemap(top, 7, List.of(PagemapEntry.of(ANON, 3, PRESENT), PagemapEntry.of(ANON + 2L * P, 1, PRESENT)));
        assertThat(openFails(top).reason()).contains("overlaps or precedes");
        rewritePagemap(top, 7, List.of(PagemapEntry.of(ANON + 16L * P, 1, PRESENT), PagemapEntry.of(ANON, 1, PRESENT)));
        assertThat(openFails(top).reason()).contains("overlaps or precedes");
        rewritePagemap(top, 7, List.of(PagemapEntry.of(ANON + 5, 1, PRESENT)));
        assertThat(openFails(top).reason()).contains("not page aligned");
        rewritePagemap(top, 7, List.of(PagemapEntry.of(ANON, 0, PRESENT)));
        assertThat(openFails(top).reason()).contains("has 0 pages");
    }

    @Test
    void pageOutsideEveryVma() throws IOException {
        Path top = Fixtures.chain(root);
        // ANON+8..16 is the hole between the two VMAs of pid 7
        rewritePagemap(top, 7, List.of(PagemapEntry.of(ANON + 6L * P, 3, PRESENT)));
        CriuImageFormatException e = openFails(top);
        assertThat(e.file()).isEqualTo(top.resolve("pagemap-7.img"));
        assertThat(e.reason()).isEqualTo("page 0x7f0000008000 lies outside every VMA");
    }

    @Test
    void missingParentForParentPages() throws IOException {
        Path top = Fixtures.chain(root);
        Files.delete(top.resolve("parent"));
        CriuImageFormatException e = openFails(top);
        assertThat(e.file()).isEqualTo(top.resolve("pagemap-1.img"));
        assertThat(e.reason()).contains("PE_PARENT but there is no parent image");
        // a parent without the process's pagemap
        CriuImageWriter.linkParent(top, Path.of("../d1"));
        Files.delete(root.resolve("d1/pagemap-1.img"));
        assertThat(openFails(top).reason()).contains("has no pagemap-1.img");
    }

    @Test
    void parentPageMissingFromParentPagemap() throws IOException {
        Path top = Fixtures.chain(root);
        rewritePagemap(root.resolve("d1"), 1, List.of(PagemapEntry.of(CODE, 4, PARENT)));
        CriuImageFormatException e = openFails(top);
        assertThat(e.reason()).contains("missing from parent pagemap");
    }

    @Test
    void parentChainLoop() throws IOException {
        Path top = Fixtures.chain(root);
        CriuImageWriter.linkParent(root.resolve("d0"), Path.of("../d2"));
        assertThat(openFails(top).reason()).contains("parent chain loops back to");
    }

    @Test
    void parentChainTooDeep() throws IOException {
        Path prev = null;
        for (int i = 0; i < ImageLimits.MAX_PARENT_DEPTH + 3; i++) {
            Path d = Files.createDirectories(root.resolve("c" + i));
            CriuImageWriter.writeInventory(d, InventoryEntry.of(new TaskKobjIds(1, 1, 1, 1, UnknownFields.NONE)));
            if (prev != null) {
                CriuImageWriter.linkParent(d, prev);
            }
            prev = d;
        }
        CriuImageWriter.writePstree(prev, List.of(PstreeEntry.of(9, 0)));
        assertThat(openFails(prev).reason()).contains("parent chain deeper than");
    }

    @Test
    void missingRequiredFieldAndWrongWireType() throws IOException {
        Path top = Fixtures.chain(root);
        ProtoWriter w = new ProtoWriter();
        w.uint32(1, 5);
        w.uint32(2, 1);
        CriuImageWriter.writePstree(top, List.of());
        Path tree = top.resolve("pstree.img");
        new EntryFile(tree, ImageHeader.Kind.PSTREE, true, List.of()).withMessages(List.of(w.finish())).write(tree);
        CriuImageFormatException e = openFails(top);
        assertThat(e.offset()).isEqualTo(12);
        assertThat(e.reason()).isEqualTo("pstree_entry lacks required field pgid");
        ProtoWriter bad = new ProtoWriter();
        bad.bytes(1, new byte[] {1});
        new EntryFile(tree, ImageHeader.Kind.PSTREE, true, List.of()).withMessages(List.of(bad.finish())).write(tree);
        assertThat(openFails(top).reason()).isEqualTo("field pid (1) has wire type 2, expected 0");
    }

    @Test
    void mmWithMisorderedVmas() throws IOException {
        Path top = Fixtures.chain(root);
        List<VmaEntry> v = new ArrayList<>(vmas7());
        java.util.Collections.reverse(v);
        CriuImageWriter.writeMm(top, 7, Fixtures.mm(v));
        CriuImageFormatException e = openFails(top);
        assertThat(e.file()).isEqualTo(top.resolve("mm-7.img"));
        assertThat(e.reason()).contains("overlaps or precedes");
    }

    static void rewritePagemap(Path dir, int pid, List<PagemapEntry> entries) throws IOException {
        Path f = dir.resolve("pagemap-" + pid + ".img");
        EntryFile ef = EntryFile.read(f, ImageHeader.Kind.PAGEMAP, true);
        CriuImageWriter.writePagemap(dir, pid, PagemapHead.decode(ef.frames().get(0).reader(f)), entries);
    }

    static void patch(Path file, int offset, int value) throws IOException {
        byte[] b = Files.readAllBytes(file);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
        Files.write(file, b);
    }

    static CriuImageFormatException openFails(Path dir) {
        try {
            CriuImageDir.open(dir);
        } catch (CriuImageFormatException e) {
            return e;
        } catch (IOException e) {
            throw new AssertionError("not a format error", e);
        }
        throw new AssertionError(dir + " opened");
    }

    static void assertError(Path dir, Path file, long offset, String reason) {
        CriuImageFormatException e = openFails(dir);
        assertThat(e.file()).isEqualTo(file);
        assertThat(e.offset()).isEqualTo(offset);
        assertThat(e.reason()).contains(reason);
    }
}
