package org.medes.criu.checkpoint;

import net.openhft.chronicle.bytes.BytesStore;
import org.medes.core.base.BasePageSource;
import org.medes.core.engine.DedupEngine;
import org.medes.core.engine.PageRestoreException;
import org.medes.core.image.DedupImage;
import org.medes.core.image.DedupImageFormatException;
import org.medes.core.page.PageSize;
import org.medes.criu.image.Pagemap;
import org.medes.criu.tool.CriuSwrk;
import org.medes.criu.tool.ImageStreamer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts a process from a dedup checkpoint written by {@link CheckpointDedup}: reads the dedup
 * image, writes a CRIU image directory (the kept CRIU files and {@code pages-N.img} in pagemap
 * order) with the pages rebuilt from the base pages straight into the mapped {@code pages-N.img}
 * ({@link DedupEngine#restoreInto}, every page checked against its checksum), and restores it
 * with CRIU.
 *
 * <p>A missing or changed base page, a corrupt dedup image or anything else that stops the pages
 * from being rebuilt exactly fails before CRIU runs and leaves the output directory empty; the
 * dedup image and its CRIU files are never changed.
 *
 * <p>{@link #startStreamed} is the faster start: CRIU reads its files from this JVM while the
 * pages are rebuilt, and no pages file is written; a page that cannot be rebuilt makes CRIU fail
 * before the process runs. Both keep their rebuild memory for the next start until
 * {@link #close}: {@link #start} a pages file ({@link KeptPagesFile}), {@link #startStreamed} a buffer.
 *
 * <p>The bases stay held by the dedup image ({@link org.medes.core.base.BaseSandboxes#release})
 * until the caller discards it. Thread-safety: thread-safe; concurrent starts must use different
 * output directories.
 */
public final class DedupStart implements AutoCloseable {
    private final DedupEngine engine;
    private final BasePageSource bases;
    private final CriuCheckpointer criu;
    private final AtomicReference<BytesStore<?, Void>> spare = new AtomicReference<>();
    private final AtomicReference<KeptPagesFile> keptFile = new AtomicReference<>();
    private volatile boolean closed;

    /** {@code criu} may be null when only {@link #rebuild} is used. */
    public DedupStart(DedupEngine engine, BasePageSource bases, CriuCheckpointer criu) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.bases = Objects.requireNonNull(bases, "bases");
        this.criu = criu;
    }

    /**
     * Rebuilds the CRIU image directory of {@code dedupFile} into {@code outDir} (absent or empty).
     *
     * @throws CheckpointException naming the dedup image and, when a page could not be rebuilt, the
     *     page and the reason (its cause is then the {@link PageRestoreException}); nothing is
     *     written to {@code outDir} then
     */
    public RebuildResult rebuild(Path dedupFile, Path outDir) throws IOException {
        return rebuild(dedupFile, outDir, null);
    }

    /**
     * As {@link #rebuild(Path, Path)}; with {@code kept} not null, the first process's pages go
     * into the kept pages file ({@code kept.file}, made in {@code outDir}'s file system when null),
     * named in {@code outDir} and listed in {@code kept.named}.
     */
    private RebuildResult rebuild(Path dedupFile, Path outDir, KeptUse kept) throws IOException {
        Path criuFiles = criuFilesOf(dedupFile);
        List<CheckpointFiles.ProcessImage> images = CheckpointFiles.images(dedupFile, criuFiles);
        long readNs = 0;
        long rebuildNs = 0;
        long writeNs = 0;
        int pages = 0;
        long bytes = 0;
        String id = null;
        boolean created = !Files.exists(outDir);
        boolean ok = false;
        try {
            boolean copied = false;
            for (CheckpointFiles.ProcessImage process : images) {
                long t0 = System.nanoTime();
                Pagemap pagemap = CheckpointFiles.readPagemap(process.pagemap());
                try (DedupImage dedup = readImage(process)) {
                    CheckpointFiles.checkPageOrder(pagemap, dedup.id(), dedup.pageCount(), dedup::pageVaddr);
                    id = id == null ? dedup.id() : id;
                    if (!copied) {
                        CheckpointFiles.copyWithoutPages(criuFiles, outDir);
                        copied = true;
                    }
                    long t1 = System.nanoTime();
                    long size = (long) dedup.pageCount() << PageSize.SHIFT;
                    Path target = CheckpointFiles.pagesFile(outDir, pagemap);
                    Path tmp = outDir.resolve("." + target.getFileName() + ".tmp");
                    KeptPagesFile into = kept != null && kept.named.isEmpty() && size > 0 ? kept.fileIn(outDir) : null;
                    // the pages are rebuilt straight into the mapped pages file: no copy in between
                    try {
                        if (into != null) {
                            engine.restoreInto(dedup, bases, into.map(size));
                        } else {
                            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
                                    StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                                if (size > 0) {
                                    MappedPages.rebuildInto(ch, size, address -> engine.restoreInto(dedup, bases, address));
                                }
                            }
                        }
                    } catch (PageRestoreException e) {
                        throw new CheckpointException("dedup start of " + process.image()
                                + " aborted before CRIU restore: " + e.getMessage(), e);
                    }
                    long t2 = System.nanoTime();
                    if (into != null) {
                        into.nameAs(target);
                        kept.named.add(target);
                    } else {
                        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                    }
                    readNs += t1 - t0;
                    rebuildNs += t2 - t1;
                    writeNs += System.nanoTime() - t2;
                    pages += dedup.pageCount();
                    bytes += size;
                }
            }
            ok = true;
            return new RebuildResult(outDir, id, pages, bytes, Duration.ofNanos(readNs), Duration.ofNanos(rebuildNs),
                    Duration.ofNanos(writeNs));
        } finally {
            if (!ok) {
                CheckpointFiles.emptyDir(outDir); // nothing of a failed rebuild is left behind
                if (created) {
                    Files.deleteIfExists(outDir);
                }
            }
        }
    }

    /**
     * Rebuilds {@code dedupFile} into {@code workDir} (absent or empty; best on tmpfs) and restores
     * the process there with CRIU, detached. The (first process's) pages are rebuilt into a pages
     * file this object keeps from one start to the next ({@link KeptPagesFile}: unnamed, in
     * {@code workDir}'s file system, mapped once, so a later start's rebuild costs no page fault);
     * {@code pages-N.img} in {@code workDir} names it only while CRIU restores, so afterwards
     * {@code workDir} holds CRIU's files and log but no pages. Where the file system has no unnamed
     * files, a new pages file is written and left, as {@link #rebuild} does.
     *
     * @throws CheckpointException as {@link #rebuild} (CRIU is then not run) or
     *     {@link CriuCheckpointer#restore}
     */
    public DedupStartResult start(Path dedupFile, Path workDir) throws IOException {
        if (criu == null) {
            throw new IllegalStateException("this DedupStart was made without a CriuCheckpointer");
        }
        // over RPC, criu swrk starts while the pages are rebuilt
        CriuSwrk swrk = criu.mode() == CriuCheckpointer.Mode.RPC ? criu.spawnSwrk() : null;
        KeptUse kept = new KeptUse(keptFile.getAndSet(null));
        try {
            RebuildResult rebuilt;
            try {
                rebuilt = rebuild(dedupFile, workDir, kept);
            } catch (IOException | RuntimeException e) {
                if (swrk != null) {
                    swrk.close();
                }
                throw e;
            }
            return new DedupStartResult(rebuilt, criu.restore(workDir, swrk));
        } finally {
            for (Path named : kept.named) {
                Files.deleteIfExists(named); // CRIU has read it (or failed); the next start reuses its memory
            }
            giveBack(kept.file);
        }
    }

    /** The kept pages file as one start uses it (made on first need) and the names it was given. */
    private static final class KeptUse {
        KeptPagesFile file;
        boolean unavailable;
        final List<Path> named = new ArrayList<>(1);

        KeptUse(KeptPagesFile file) {
            this.file = file;
        }

        /** The kept file, made in {@code dir}'s file system when there is none yet; null when none can be made. */
        KeptPagesFile fileIn(Path dir) {
            if (file == null && !unavailable) {
                try {
                    file = KeptPagesFile.create(dir);
                } catch (IOException e) {
                    unavailable = true; // a file system without unnamed files: a new pages file each start
                }
            }
            return file;
        }
    }

    private void giveBack(KeptPagesFile f) {
        if (f == null) {
            return;
        }
        if (closed || !keptFile.compareAndSet(null, f)) {
            f.close(); // closed meanwhile, or another start's file is kept already
        } else if (closed && keptFile.compareAndSet(f, null)) {
            f.close();
        }
    }

    /**
     * Starts {@code dedupFile} with CRIU reading its image files from this JVM
     * ({@code criu restore --stream}, {@link StreamedRestore}) while the pages are rebuilt: CRIU
     * starts first, its files come from the dedup image's CRIU files, and {@code pages-N.img} is
     * fed to it block by block as the engine finishes them ({@link DedupEngine#restoreInto(DedupImage,
     * BasePageSource, long, DedupEngine.RebuildProgress)}), every page checked before it is sent. No
     * pages file is written. CRIU's start-up and its restore of everything but the pages overlap the
     * rebuild; the pages pass through a pipe once.
     *
     * <p>A page that cannot be rebuilt stops the pages short: CRIU then fails before the tree runs,
     * and this throws naming the page. The dedup image and its CRIU files are never changed.
     *
     * @param workDir absent or empty; best on tmpfs. CRIU's socket and log go there.
     * @throws CheckpointException naming the dedup image, and the page when one could not be
     *     rebuilt (its cause is then the {@link PageRestoreException}), or CRIU's failure
     */
    public DedupStartResult startStreamed(Path dedupFile, Path workDir) throws IOException {
        try (PreparedStart prepared = prepareStreamed(workDir)) {
            return prepared.start(dedupFile);
        }
    }

    /**
     * Starts a {@code criu restore --stream} in {@code workDir} (absent or empty) ahead of need:
     * CRIU starts up and waits for its files until {@link PreparedStart#start} names the dedup
     * image, which then runs as {@link #startStreamed} without CRIU's start-up on its path. Holds
     * one waiting criu process until started or closed.
     */
    public PreparedStart prepareStreamed(Path workDir) throws IOException {
        if (criu == null) {
            throw new IllegalStateException("this DedupStart was made without a CriuCheckpointer");
        }
        CheckpointFiles.createEmptyDir(workDir);
        return new PreparedStart(workDir, StreamedRestore.prepare(criu.criu(), workDir, criu.timeout()));
    }

    /** A streamed dedup start whose CRIU runs already and waits for its files; one {@link #start} per instance. */
    public final class PreparedStart implements AutoCloseable {
        private final Path workDir;
        private final StreamedRestore restore;
        private boolean used;

        private PreparedStart(Path workDir, StreamedRestore restore) {
            this.workDir = workDir;
            this.restore = restore;
        }

        /**
         * Starts {@code dedupFile} as {@link DedupStart#startStreamed} does.
         *
         * @throws CheckpointException as {@link DedupStart#startStreamed}
         */
        public DedupStartResult start(Path dedupFile) throws IOException {
            if (used) {
                throw new IllegalStateException("this prepared start in " + workDir + " was used already");
            }
            used = true;
            try {
                return startStreamed(dedupFile, workDir, restore);
            } finally {
                restore.close();
            }
        }

        /** Stops the waiting CRIU if {@link #start} was not called. Idempotent. */
        @Override
        public void close() throws IOException {
            restore.close();
        }
    }

    /** One process of a streamed start: its files, the pages CRIU is fed, and once read its dedup image. */
    private static final class StreamedProcess {
        final CheckpointFiles.ProcessImage files;
        final Pagemap pagemap;
        final StreamedPages pages;
        DedupImage dedup;
        /** Where its pages are rebuilt in the start's buffer. */
        long address;

        StreamedProcess(CheckpointFiles.ProcessImage files, Pagemap pagemap, StreamedPages pages) {
            this.files = files;
            this.pagemap = pagemap;
            this.pages = pages;
        }
    }

    private DedupStartResult startStreamed(Path dedupFile, Path workDir, StreamedRestore restore) throws IOException {
        long t0 = System.nanoTime();
        Path criuFiles = criuFilesOf(dedupFile);
        List<StreamedProcess> processes = new ArrayList<>();
        Map<String, ImageStreamer.Content> contents = new LinkedHashMap<>();
        for (CheckpointFiles.ProcessImage files : CheckpointFiles.images(dedupFile, criuFiles)) {
            Pagemap pagemap = CheckpointFiles.readPagemap(files.pagemap());
            String pagesName = CheckpointFiles.pagesFile(workDir, pagemap).getFileName().toString();
            StreamedProcess process = new StreamedProcess(files, pagemap, new StreamedPages(pagesName));
            processes.add(process);
            contents.put(pagesName, process.pages);
        }
        restore.begin(criuFiles, contents);
        BytesStore<?, Void> memory = null;
        try {
            PageRestoreException failed = null;
            Path failedImage = null;
            long t1;
            long t2;
            int count = 0;
            try {
                for (StreamedProcess process : processes) {
                    DedupImage dedup = readImage(process.files);
                    process.dedup = dedup;
                    CheckpointFiles.checkPageOrder(process.pagemap, dedup.id(), dedup.pageCount(), dedup::pageVaddr);
                    count += dedup.pageCount();
                }
                t1 = System.nanoTime();
                memory = takeBuffer((long) count << PageSize.SHIFT);
                long address = memory.addressForWrite(0);
                for (StreamedProcess process : processes) {
                    process.address = address;
                    process.pages.begin(address, process.dedup.pageCount());
                    address += (long) process.dedup.pageCount() << PageSize.SHIFT;
                }
                // one process after the other: CRIU waits on a pages file whose pages are not rebuilt yet
                for (StreamedProcess process : processes) {
                    try {
                        if (process.dedup.pageCount() > 0) {
                            engine.restoreInto(process.dedup, bases, process.address, process.pages);
                        }
                    } catch (PageRestoreException e) {
                        failed = e;
                        failedImage = process.files.image();
                        break;
                    }
                }
                t2 = System.nanoTime();
            } catch (IOException | RuntimeException e) {
                processes.forEach(p -> p.pages.abort(e.getMessage()));
                awaitFailed(restore);
                throw e;
            }
            if (failed != null) {
                String why = "page " + failed.page() + " of " + failedImage + " could not be rebuilt";
                processes.forEach(p -> p.pages.abort(why));
                awaitFailed(restore);
                throw new CheckpointException("dedup start of " + failedImage
                        + " aborted before the restored process ran: " + failed.getMessage(), failed);
            }
            RestoreResult restored = restore.await();
            RebuildResult rebuilt = new RebuildResult(workDir, processes.get(0).dedup.id(), count,
                    (long) count << PageSize.SHIFT, Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1), Duration.ZERO);
            return new DedupStartResult(rebuilt, restored, Duration.ofNanos(System.nanoTime() - t0));
        } finally {
            processes.forEach(p -> p.pages.abort("the start ended")); // a no-op once every page was written
            for (StreamedProcess process : processes) {
                if (process.dedup != null) {
                    process.dedup.close();
                }
            }
            if (memory != null) {
                giveBack(memory); // only now: CRIU has finished reading the pages (or was stopped)
            }
        }
    }

    /** The kept rebuild buffer when it is large enough, else a new one. */
    private BytesStore<?, Void> takeBuffer(long bytes) {
        BytesStore<?, Void> b = spare.getAndSet(null);
        if (b != null && b.realCapacity() >= bytes) {
            return b;
        }
        if (b != null) {
            b.releaseLast();
        }
        return BytesStore.nativeStoreWithFixedCapacity(Math.max(PageSize.BYTES, bytes));
    }

    private void giveBack(BytesStore<?, Void> b) {
        if (!spare.compareAndSet(null, b)) {
            b.releaseLast(); // another start's buffer is kept already
        } else if (closed && spare.compareAndSet(b, null)) {
            b.releaseLast(); // closed meanwhile
        }
    }

    /**
     * Frees the pages file {@link #start} keeps and the rebuild buffer a {@link #startStreamed
     * streamed start} keeps for the next one
     * (as large as the largest image started, pages x 4 KiB: its pages are then already mapped,
     * which makes the next rebuild faster). Idempotent; starts after it allocate and free their own.
     */
    @Override
    public void close() {
        closed = true;
        BytesStore<?, Void> b = spare.getAndSet(null);
        if (b != null) {
            b.releaseLast();
        }
        KeptPagesFile f = keptFile.getAndSet(null);
        if (f != null) {
            f.close();
        }
    }

    /** Waits for a restore whose pages were stopped short to fail; it must not run. */
    private static void awaitFailed(StreamedRestore restore) throws IOException {
        RestoreResult unexpected;
        try {
            unexpected = restore.await();
        } catch (CheckpointException expected) {
            return;
        }
        // cannot happen with CRIU as it is (a short pages file fails the restore), but never let it run
        org.medes.criu.tool.LibC.get().kill((int) unexpected.pid(), org.medes.criu.tool.LibC.SIGKILL);
        Processes.awaitFree(unexpected.pid(), Duration.ofSeconds(5));
        throw new CheckpointException("criu restored pid " + unexpected.pid() + " although its pages were stopped short;"
                + " killed it");
    }

    /** The CRIU files kept beside {@code dedupFile}, which must exist. */
    private static Path criuFilesOf(Path dedupFile) throws CheckpointException {
        Path criuFiles = CheckpointFiles.criuFilesOf(dedupFile);
        if (!Files.isDirectory(criuFiles)) {
            throw new CheckpointException("dedup image " + dedupFile + " has no CRIU files beside it (" + criuFiles
                    + " is missing)");
        }
        return criuFiles;
    }

    private static DedupImage readImage(CheckpointFiles.ProcessImage process) throws IOException {
        Path dedupFile = process.image();
        if (!Files.exists(dedupFile)) {
            throw new CheckpointException("dedup image " + dedupFile + " of process " + process.pid() + " is missing");
        }
        try {
            return DedupImage.read(dedupFile);
        } catch (DedupImageFormatException e) {
            throw new CheckpointException("dedup image " + dedupFile + " is unreadable: " + e.getMessage(), e);
        }
    }
}
