package org.medes.criu.image;

import org.medes.core.page.OffHeap;
import org.medes.core.page.SandboxImage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes CRIU image files (current format: head magic before the type magic, see
 * {@link ImageHeader}) and rewrites the pages of checkpointed processes.
 *
 * <p>{@link #rewritePages} keeps every byte that does not have to change: pagemap entries are
 * copied verbatim unless split, pages are written in pagemap order, and only a page that lived in
 * the parent image and now differs from it is moved into this image (its entry split, its pages
 * {@link PagemapEntry#PE_PRESENT}); that alone shifts the offsets of later pages.
 *
 * <p>Thread-safety: stateless; concurrent calls must not write the same directory.
 */
public final class CriuImageWriter {
    private CriuImageWriter() {
    }

    public static void writeInventory(Path dir, InventoryEntry e) throws IOException {
        write(dir.resolve(CriuImageDir.INVENTORY), ImageHeader.Kind.INVENTORY, List.of(e.encode()));
    }

    public static void writePstree(Path dir, List<PstreeEntry> entries) throws IOException {
        List<byte[]> m = new ArrayList<>();
        entries.forEach(e -> m.add(e.encode()));
        write(dir.resolve(CriuImageDir.PSTREE), ImageHeader.Kind.PSTREE, m);
    }

    public static void writeMm(Path dir, int pid, MmEntry mm) throws IOException {
        write(dir.resolve(CriuImageDir.mmName(pid)), ImageHeader.Kind.MM, List.of(mm.encode()));
    }

    public static void writePagemap(Path dir, int pid, PagemapHead head, List<PagemapEntry> entries) throws IOException {
        List<byte[]> m = new ArrayList<>();
        m.add(head.encode());
        entries.forEach(e -> m.add(e.encode()));
        write(dir.resolve(CriuImageDir.pagemapName(pid)), ImageHeader.Kind.PAGEMAP, m);
    }

    /** Writes {@code pages-N.img}: raw page bytes, a multiple of 4096. */
    public static void writePages(Path dir, int pagesId, byte[] pages) throws IOException {
        if (pages.length % ImageLimits.PAGE_BYTES != 0) {
            throw new IllegalArgumentException(pages.length + " bytes is not a whole number of pages");
        }
        EntryFile.writeAtomically(dir.resolve(CriuImageDir.pagesName(pagesId)), pages);
    }

    /** Makes {@code dir/parent} a symbolic link to {@code target} (relative targets are kept as given). */
    public static void linkParent(Path dir, Path target) throws IOException {
        Files.createSymbolicLink(dir.resolve(CriuImageDir.PARENT), target);
    }

    private static void write(Path file, ImageHeader.Kind kind, List<byte[]> messages) throws IOException {
        new EntryFile(file, kind, kind != ImageHeader.Kind.INVENTORY, List.of()).withMessages(messages).write(file);
    }

    /**
     * Writes {@code src} to {@code outDir} with the pages of each process in {@code pages} replaced.
     * Each replacement must hold exactly the stored pages of its process ({@link CriuImageDir#pageRuns}).
     * When {@code outDir} is not {@code src}'s directory it must be absent or empty; the other files
     * are copied and the {@code parent} link points to the source's parent by absolute path.
     */
    public static void rewritePages(CriuImageDir src, Map<Integer, SandboxImage> pages, Path outDir) throws IOException {
        for (Map.Entry<Integer, SandboxImage> e : pages.entrySet()) {
            checkSameLayout(src, e.getKey(), e.getValue());
        }
        boolean inPlace = Files.exists(outDir) && Files.isSameFile(src.dir(), outDir);
        if (!inPlace) {
            copyDir(src.dir(), outDir);
        }
        for (Map.Entry<Integer, SandboxImage> e : pages.entrySet()) {
            rewriteOne(src, e.getKey(), e.getValue(), outDir);
        }
    }

    private static void checkSameLayout(CriuImageDir src, int pid, SandboxImage image) {
        CriuProcess p = src.process(pid);
        if (p.pagemap() == null) {
            throw new IllegalArgumentException("process " + pid + " of " + src.dir() + " has no pagemap");
        }
        long k = 0;
        for (PageRun r : src.pageRuns(pid)) {
            for (long j = 0; j < r.pages(); j++, k++) {
                long vaddr = r.vaddr() + (j << ImageLimits.PAGE_SHIFT);
                if (k >= image.pageCount() || image.pageVaddr((int) k) != vaddr) {
                    throw new IllegalArgumentException("image " + image.id() + " page " + k + " should be at 0x"
                            + Long.toHexString(vaddr) + " as in pagemap of process " + pid);
                }
            }
        }
        if (k != image.pageCount()) {
            throw new IllegalArgumentException("image " + image.id() + " has " + image.pageCount()
                    + " pages, process " + pid + " stores " + k);
        }
    }

    private static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(to)) {
            if (ds.iterator().hasNext()) {
                throw new IOException(to + " is not empty");
            }
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(from)) {
            for (Path f : ds) {
                String name = f.getFileName().toString();
                if (name.equals(CriuImageDir.PARENT) && Files.isSymbolicLink(f)) {
                    Path target = Files.exists(f) ? f.toRealPath() : Files.readSymbolicLink(f);
                    Files.createSymbolicLink(to.resolve(name), target);
                } else if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(f, to.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void rewriteOne(CriuImageDir src, int pid, SandboxImage image, Path outDir) throws IOException {
        Pagemap pm = src.process(pid).pagemap();
        Path srcPages = src.dir().resolve(CriuImageDir.pagesName(pm.head().pagesId()));
        Path outPages = outDir.resolve(CriuImageDir.pagesName(pm.head().pagesId()));
        List<PageRun> runs = src.pageRuns(pid);
        List<byte[]> messages = new ArrayList<>();
        messages.add(pm.file().frames().get(0).message());
        Path tmp = Files.createTempFile(outDir, "." + outPages.getFileName(), ".tmp");
        try (MappedPages mapped = new MappedPages();
             OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
            PageSink sink = new PageSink(out);
            int page = 0;
            int run = 0;
            long inRun = 0;
            for (int i = 0; i < pm.entries().size(); i++) {
                PagemapEntry e = pm.entries().get(i);
                byte[] frame = pm.file().frames().get(i + 1).message();
                if (!e.inParentImage() && !e.present()) {
                    messages.add(frame);
                    continue;
                }
                long n = e.pageCount();
                if (!e.inParentImage()) {
                    for (long j = 0; j < n; j++) {
                        sink.page(image.pageAddress(page++));
                    }
                    messages.add(frame);
                    run++; // a present entry is exactly one run
                    continue;
                }
                boolean[] changed = new boolean[Math.toIntExact(n)];
                boolean any = false;
                for (int j = 0; j < n; j++) {
                    PageRun r = runs.get(run);
                    long old = mapped.pageAddress(r.pagesFile(), r.fileOffset() + (inRun << ImageLimits.PAGE_SHIFT));
                    changed[j] = !samePage(old, image.pageAddress(page + j));
                    any |= changed[j];
                    if (++inRun == r.pages()) {
                        run++;
                        inRun = 0;
                    }
                }
                if (!any) {
                    messages.add(frame);
                    page += (int) n;
                    continue;
                }
                int flags = e.flagsEffective();
                for (int j = 0; j < n; ) {
                    int k = j;
                    while (k < n && changed[k] == changed[j]) {
                        k++;
                    }
                    long vaddr = e.vaddr() + ((long) j << ImageLimits.PAGE_SHIFT);
                    if (changed[j]) {
                        messages.add(e.with(vaddr, k - j, (flags & ~PagemapEntry.PE_PARENT) | PagemapEntry.PE_PRESENT)
                                .encode());
                        for (int q = j; q < k; q++) {
                            sink.page(image.pageAddress(page + q));
                        }
                    } else {
                        messages.add(e.with(vaddr, k - j, flags).encode());
                    }
                    j = k;
                }
                page += (int) n;
            }
            copyTail(srcPages, pm.presentPages() << ImageLimits.PAGE_SHIFT, sink);
            sink.flush();
        } catch (IOException | RuntimeException ex) {
            Files.deleteIfExists(tmp);
            throw ex;
        }
        Files.move(tmp, outPages, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        pm.file().withMessages(messages).write(outDir.resolve(CriuImageDir.pagemapName(pid)));
    }

    /** Copies the bytes of {@code file} past {@code from}, which CRIU never writes but which are kept. */
    private static void copyTail(Path file, long from, PageSink sink) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 << 16);
            long pos = from;
            int r;
            while ((r = ch.read(b.clear(), pos)) > 0) {
                sink.bytes(b.array(), r);
                pos += r;
            }
        }
    }

    private static boolean samePage(long a, long b) {
        for (int o = 0; o < ImageLimits.PAGE_BYTES; o += 8) {
            if (OffHeap.getLong(a + o) != OffHeap.getLong(b + o)) {
                return false;
            }
        }
        return true;
    }

    /** Buffers pages copied out of native memory. */
    private static final class PageSink {
        private final OutputStream out;
        private final byte[] buf = new byte[1 << 20];
        private int len;

        PageSink(OutputStream out) {
            this.out = out;
        }

        void page(long address) throws IOException {
            if (len + ImageLimits.PAGE_BYTES > buf.length) {
                flush();
            }
            OffHeap.copyToArray(address, buf, len, ImageLimits.PAGE_BYTES);
            len += ImageLimits.PAGE_BYTES;
        }

        void bytes(byte[] b, int n) throws IOException {
            flush();
            out.write(b, 0, n);
        }

        void flush() throws IOException {
            out.write(buf, 0, len);
            len = 0;
        }
    }
}
