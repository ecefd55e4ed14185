package org.medes.criu.checkpoint;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.medes.core.base.BaseSandboxes;
import org.medes.core.engine.PageRestoreException;
import org.medes.core.image.DedupImage;
import org.medes.core.registry.OffHeapFingerprintRegistry;
import org.medes.criu.image.CriuImageWriter;
import org.medes.criu.image.Pagemap;
import org.medes.criu.image.PagemapEntry;
import org.medes.criu.tool.FileTrees;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Real workers, real CRIU: checkpoint, dedup against a base checkpoint, dedup start, invoke. Fails
 * when CRIU is unavailable unless {@code -Dmedes.criu.disabled=true}. Images live on /dev/shm.
 */
class DedupStartIntegrationTest {
    private static final Duration DEADLINE = LiveWorkers.DEADLINE;
    @RegisterExtension
    static final CriuEngine CRIU = new CriuEngine();

    private LiveWorkers live;
    private Path root;
    private CriuCheckpointer criu;
    private OffHeapFingerprintRegistry registry;
    private BaseSandboxes bases;


    @BeforeEach
    void setUp() throws IOException {
        live = new LiveWorkers("medes-ck-test-");
        root = live.root();
        criu = live.criu();
        registry = new OffHeapFingerprintRegistry();
        bases = BaseSandboxes.builder().registry(registry).build();
    }

    @AfterEach
    void tearDown() throws IOException {
        bases.close();
        registry.close();
        live.close();
    }

    private FunctionWorker start(String function, int input) throws IOException {
        return live.start(FunctionWorker.Runtime.PYTHON, function, input, function + "-" + input);
    }

    /** A base worker dumped left running and added as a base of {@code dedup}, and a target worker of the same runtime. */
    private record Pair(FunctionWorker base, FunctionWorker target, CheckpointDedup dedup, Path baseDir) {
    }

    /**
     * Starts the base and the target worker, invokes the base {@code baseInvocations} times, and
     * makes its checkpoint (left running) a base sandbox.
     */
    private Pair pair(String baseFunction, int baseInput, String targetFunction, int targetInput, int baseInvocations)
            throws IOException {
        FunctionWorker base = start(baseFunction, baseInput);
        FunctionWorker target = start(targetFunction, targetInput);
        for (int i = 0; i < baseInvocations; i++) {
            base.invoke();
        }
        CheckpointDedup dedup = new CheckpointDedup(CRIU.engine(), bases);
        return new Pair(base, target, dedup, baseCheckpoint(dedup, base, baseFunction));
    }

    /** Base worker dumped left running and added as a base; returns its checkpoint dir. */
    private Path baseCheckpoint(CheckpointDedup dedup, FunctionWorker base, String function) throws IOException {
        Path dir = root.resolve("base-ck");
        DumpResult d = criu.dump(base.pid(), dir, true);
        assertThat(d.leftRunning()).isTrue();
        assertThat(base.isRunning()).isTrue();
        dedup.addBase(function, dir);
        return dir;
    }

    /** Target worker dumped (killed, reaped); returns its checkpoint dir and keeps a copy of its pages if asked. */
    private Path targetCheckpoint(FunctionWorker target, Path pagesCopy) throws IOException {
        Path dir = root.resolve("target-ck");
        DumpResult d = criu.dump(target.pid(), dir, false);
        target.awaitReaped(DEADLINE);
        System.out.printf("medes-criu timing: dump %d ms (%s, killed)%n", d.elapsed().toMillis(), dir.getFileName());
        if (pagesCopy != null) {
            Files.createDirectories(pagesCopy);
            for (Path p : rawPages(dir)) {
                Files.copy(p, pagesCopy.resolve(p.getFileName()));
            }
        }
        return dir;
    }

    /** Attaches to the restored {@code pid} of {@code original}'s worker, waits until it answers, and invokes it once. */
    private String invokeRestored(long pid, FunctionWorker original) throws IOException {
        FunctionWorker restored = live.attach(pid, original);
        restored.awaitReady(DEADLINE);
        return restored.invoke();
    }

    /** The restored worker's next answer has invocation counter {@code counter} and value {@code value}. */
    private void assertCarriesOn(long pid, FunctionWorker original, int counter, long value) throws IOException {
        String answer = invokeRestored(pid, original);
        assertThat(FunctionWorker.counter(answer)).as(answer).isEqualTo(counter);
        assertThat(FunctionWorker.value(answer)).as(answer).isEqualTo(value);
    }

    /** Every pages file of {@code dir} (at least one) is byte for byte the one of the same name in {@code dumped}. */
    private static void assertPagesAsDumped(Path dir, Path dumped) throws IOException {
        assertThat(rawPages(dir)).as("pages files in %s", dir).isNotEmpty();
        for (Path p : rawPages(dir)) {
            assertThat(Files.mismatch(p, dumped.resolve(p.getFileName()))).as("%s equals the dump's", p).isEqualTo(-1);
        }
    }

    /** The pagemap of the one process dumped in {@code dir}. */
    private static Path onlyPagemap(Path dir) throws IOException {
        Map<Integer, Path> pagemaps = CheckpointFiles.pagemaps(dir);
        assertThat(pagemaps).hasSize(1);
        return pagemaps.values().iterator().next();
    }

    private static List<Path> rawPages(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "pages-*.img")) {
            ds.forEach(out::add);
        }
        return out;
    }

    @Test
    void dedupStartedWorkerCarriesOnFromItsPreCheckpointState() throws Exception {
        FunctionWorker base = start("numpy-sum", 1);
        FunctionWorker target = start("numpy-sum", 2);
        System.out.printf("medes-criu timing: worker cold start %d ms (start to first answer)%n",
                target.coldStart().toMillis());
        base.invoke();
        CheckpointDedup dedup = new CheckpointDedup(CRIU.engine(), bases);
        baseCheckpoint(dedup, base, "numpy-sum");
        target.invoke();
        String second = target.invoke();
        assertThat(FunctionWorker.counter(second)).isEqualTo(2);
        long atCheckpoint = FunctionWorker.value(second);
        Path pagesCopy = root.resolve("original-pages");
        Path ck = targetCheckpoint(target, pagesCopy);

        Path file = root.resolve("dedup/target.medes");
        CheckpointDedupResult r = dedup.dedup(ck, file);
        System.out.printf("medes-criu timing: dedup %d pages, saved %.1f %%: read %d ms, dedup %d ms (%.0f MB/s), "
                        + "write %d ms%n", r.pages(), 100 * r.savedFraction(), r.readPages().toMillis(),
                r.dedup().toMillis(), r.dedupMbPerSecond(), r.write().toMillis());
        assertThat(r.savedFraction()).as("saved share against another input's worker").isGreaterThan(0.5);
        assertThat(rawPages(ck)).as("raw pages deleted").isEmpty();
        assertThat(Files.size(file)).isLessThan(r.rawBytes() / 2);
        assertThat(r.criuFiles().resolve("pstree.img")).exists();

        try (DedupStart starts = new DedupStart(CRIU.engine(), bases, criu)) {
            Path rebuilt = root.resolve("rebuilt");
            starts.rebuild(file, rebuilt);
            assertThat(rawPages(rebuilt)).hasSize(1);
            assertPagesAsDumped(rebuilt, pagesCopy);

            // twice from one DedupStart: the second rebuilds into the pages file the first one kept
            for (int round = 1; round <= 2; round++) {
                Path work = root.resolve("started-" + round);
                DedupStartResult s = starts.start(file, work);
                RebuildResult b = s.rebuild();
                System.out.printf("medes-criu timing: dedup start %d: read image %d ms, pages rebuilt %d ms (%.0f MB/s), "
                                + "image written %d ms, criu restore %d ms, total %d ms%n", round, b.readImage().toMillis(),
                        b.rebuildPages().toMillis(), b.rebuildMbPerSecond(), b.writeImage().toMillis(),
                        s.restore().elapsed().toMillis(), s.total().toMillis());
                assertThat(s.pid()).isEqualTo(target.pid());
                assertThat(rawPages(work)).as("the pages file's name is removed once CRIU has read it").isEmpty();
                assertThat(work.resolve("pstree.img")).exists();
                assertCarriesOn(s.pid(), target, 3, atCheckpoint + 3);
                FunctionWorker restored = live.attach(s.pid(), target);
                restored.close(); // killed, so that its pid is free for the next round
                assertThat(Processes.awaitFree(s.pid(), DEADLINE)).isTrue();
            }
        }
        assertThat(FunctionWorker.counter(base.invoke())).as("the base keeps serving").isEqualTo(2);
    }

    /**
     * Turns the full dump in {@code dump} into the top of a two-level chain, as CRIU writes a dump
     * on top of a pre-dump: {@code parent} gets the whole pagemap and pages file (the pre-dump),
     * and every other pagemap entry of {@code dump} becomes PE_PARENT, its pages dropped from
     * {@code dump}'s pages file. (CRIU's own pre-dump needs the kernel's soft-dirty tracking, which
     * this machine's kernel lacks: {@code criu check --feature mem_dirty_track} fails.)
     */
    private static void splitIntoChain(Path dump, Path parent) throws IOException {
        Path pagemapFile = onlyPagemap(dump);
        Pagemap pm = CheckpointFiles.readPagemap(pagemapFile);
        Path pagesFile = CheckpointFiles.pagesFile(dump, pm);
        Files.createDirectories(parent);
        Files.copy(pagemapFile, parent.resolve(pagemapFile.getFileName()));
        Files.copy(pagesFile, parent.resolve(pagesFile.getFileName()));
        byte[] all = Files.readAllBytes(pagesFile);
        java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
        List<PagemapEntry> entries = new ArrayList<>();
        long at = 0;
        for (int i = 0; i < pm.entries().size(); i++) {
            PagemapEntry e = pm.entries().get(i);
            long bytes = e.pageCount() * 4096;
            if (i % 2 == 0) {
                entries.add(PagemapEntry.of(e.vaddr(), e.pageCount(), PagemapEntry.PE_PARENT));
            } else {
                entries.add(e);
                kept.write(all, (int) at, (int) bytes);
            }
            at += bytes;
        }
        String name = pagemapFile.getFileName().toString();
        int pid = Integer.parseInt(name.substring("pagemap-".length(), name.length() - ".img".length()));
        CriuImageWriter.writePagemap(dump, pid, pm.head(), entries);
        CriuImageWriter.writePages(dump, pm.head().pagesId(), kept.toByteArray());
        CriuImageWriter.linkParent(dump, dump.relativize(parent));
    }

    @Test
    void aDumpOnTopOfAPreDumpIsDedupedWholeAndStartsWithoutItsChain() throws Exception {
        Pair pair = pair("numpy-sum", 11, "numpy-sum", 12, 1);
        FunctionWorker target = pair.target();
        CheckpointDedup dedup = pair.dedup();
        target.invoke();
        long atCheckpoint = FunctionWorker.value(target.invoke());
        Path pagesCopy = root.resolve("original-pages");
        Path ck = targetCheckpoint(target, pagesCopy);
        Path pre = root.resolve("pre");
        splitIntoChain(ck, pre);
        long fullBytes = Files.size(rawPages(pre).get(0));
        assertThat(Files.size(rawPages(ck).get(0))).as("the top holds only some pages").isLessThan(fullBytes);

        Path file = root.resolve("dedup/target.medes");
        CheckpointDedupResult r = dedup.dedup(ck, file);
        assertThat(r.rawBytes()).as("every page, the parent's included").isEqualTo(fullBytes);
        FileTrees.delete(pre); // the chain is not needed any more
        assertThat(r.criuFiles().resolve("parent")).doesNotExist();
        Pagemap kept = CheckpointFiles.readPagemap(onlyPagemap(r.criuFiles()));
        assertThat(kept.entries()).allSatisfy(e -> assertThat(e.present() && !e.inParentImage()).as("%s", e).isTrue());
        assertThat(kept.presentPages()).isEqualTo(r.pages());

        DedupStart starts = new DedupStart(CRIU.engine(), bases, criu);
        starts.rebuild(file, root.resolve("rebuilt"));
        assertThat(rawPages(root.resolve("rebuilt"))).hasSize(1);
        assertPagesAsDumped(root.resolve("rebuilt"), pagesCopy);
        DedupStartResult s = starts.start(file, root.resolve("started"));
        starts.close();
        assertCarriesOn(s.pid(), target, 3, atCheckpoint + 3);
    }

    @Test
    void aCheckpointWithSharedMemoryIsRefusedBeforeAnyPageIsDeleted() throws Exception {
        Pair pair = pair("wordcount", 13, "wordcount", 14, 0);
        FunctionWorker target = pair.target();
        CheckpointDedup dedup = pair.dedup();
        Path ck = targetCheckpoint(target, null);
        List<Path> raw = rawPages(ck);
        Files.write(ck.resolve("pagemap-shmem-4242.img"), new byte[0]); // as CRIU names shared memory's pagemap
        Path file = root.resolve("target.medes");
        assertThatThrownBy(() -> dedup.dedup(ck, file))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("pagemap-shmem-4242.img")
                .hasMessageContaining("shared memory");
        assertThat(rawPages(ck)).as("raw pages kept").isEqualTo(raw);
        assertThat(file).doesNotExist();
        assertThat(CheckpointDedup.criuFilesOf(file)).doesNotExist();
    }

    @Test
    void dedupsAgainstABaseOfAnotherFunction() throws Exception {
        Pair pair = pair("wordcount", 5, "numpy-sum", 6, 0);
        FunctionWorker target = pair.target();
        CheckpointDedup dedup = pair.dedup();
        long first = FunctionWorker.value(target.invoke());
        Path ck = targetCheckpoint(target, null);
        CheckpointDedupResult r = dedup.dedup(ck, root.resolve("target.medes"));
        System.out.printf("medes-criu: numpy-sum against a wordcount base: %d pages, saved %.1f %%%n", r.pages(),
                100 * r.savedFraction());
        assertThat(r.savedFraction()).isGreaterThan(0.3);
        DedupStartResult s = new DedupStart(CRIU.engine(), bases, criu).start(root.resolve("target.medes"),
                root.resolve("started"));
        assertCarriesOn(s.pid(), target, 2, first + 2);
    }

    @Test
    void changedOrMissingBasePageAbortsBeforeCriuRunsAndKeepsTheDedupImage() throws Exception {
        Pair pair = pair("numpy-sum", 7, "numpy-sum", 8, 0);
        FunctionWorker target = pair.target();
        CheckpointDedup dedup = pair.dedup();
        Path baseDir = pair.baseDir();
        Path ck = targetCheckpoint(target, null);
        Path file = root.resolve("target.medes");
        dedup.dedup(ck, file);
        byte[] imageBytes = Files.readAllBytes(file);

        // the same base checkpoint with a byte of every page changed, registered under the same id
        for (Path p : rawPages(baseDir)) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size());
                for (int off = 100; off < m.capacity(); off += 4096) {
                    m.put(off, (byte) (m.get(off) ^ 0x5a));
                }
                m.force();
            }
        }
        try (OffHeapFingerprintRegistry reg2 = new OffHeapFingerprintRegistry();
             BaseSandboxes changed = BaseSandboxes.builder().registry(reg2).build();
             OffHeapFingerprintRegistry reg3 = new OffHeapFingerprintRegistry();
             BaseSandboxes none = BaseSandboxes.builder().registry(reg3).build()) {
            assertThat(new CheckpointDedup(CRIU.engine(), changed).addBase("numpy-sum", baseDir)).isEqualTo(0);
            Path out = root.resolve("started");
            assertThatThrownBy(() -> new DedupStart(CRIU.engine(), changed, criu).start(file, out))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("aborted before CRIU restore")
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("base")
                    .hasCauseInstanceOf(PageRestoreException.class);
            assertThatThrownBy(() -> new DedupStart(CRIU.engine(), none, criu).start(file, out))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("aborted before CRIU restore")
                    .hasCauseInstanceOf(PageRestoreException.class);
            assertThat(out).as("nothing written for CRIU").doesNotExist();
            assertThat(Processes.isTaken(target.pid())).as("no restore attempted").isFalse();
        }
        assertThat(Files.readAllBytes(file)).as("dedup image unchanged").isEqualTo(imageBytes);
        try (DedupImage again = DedupImage.read(file)) {
            assertThat(again.pageCount()).isPositive();
        }
        // with the right bases the same dedup image still starts
        DedupStartResult s = new DedupStart(CRIU.engine(), bases, criu).start(file, root.resolve("started-ok"));
        assertThat(FunctionWorker.counter(invokeRestored(s.pid(), target))).isEqualTo(1);
    }

    @Test
    void streamedDedupStartCarriesOnWithoutWritingAPagesFile() throws Exception {
        Pair pair = pair("numpy-sum", 11, "numpy-sum", 12, 0);
        FunctionWorker target = pair.target();
        CheckpointDedup dedup = pair.dedup();
        target.invoke();
        long atCheckpoint = FunctionWorker.value(target.invoke());
        Path ck = targetCheckpoint(target, null);
        Path file = root.resolve("target.medes");
        dedup.dedup(ck, file);
        Path work = root.resolve("streamed");
        DedupStartResult s;
        try (DedupStart starts = new DedupStart(CRIU.engine(), bases, criu)) {
            s = starts.startStreamed(file, work);
        }
        System.out.printf("medes-criu timing: streamed dedup start: read image %d ms, pages rebuilt %d ms (%.0f MB/s), "
                        + "criu restore %d ms (overlapping), total %d ms%n", s.rebuild().readImage().toMillis(),
                s.rebuild().rebuildPages().toMillis(), s.rebuild().rebuildMbPerSecond(),
                s.restore().elapsed().toMillis(), s.total().toMillis());
        assertThat(s.pid()).isEqualTo(target.pid());
        assertThat(s.total()).isLessThan(s.rebuild().total().plus(s.restore().elapsed()));
        assertThat(rawPages(work)).as("no pages file is written").isEmpty();
        assertThat(work.resolve(org.medes.criu.tool.ImageStreamer.SOCKET_NAME)).doesNotExist();
        assertCarriesOn(s.pid(), target, 3, atCheckpoint + 3);
    }

    @Test
    void streamedStartWhoseLastBlockCannotBeRebuiltFailsBeforeTheProcessRuns() throws Exception {
        Pair pair = pair("numpy-sum", 13, "numpy-sum", 14, 0);
        FunctionWorker target = pair.target();
        CheckpointDedup dedup = pair.dedup();
        Path ck = targetCheckpoint(target, null);
        Path file = root.resolve("target.medes");
        dedup.dedup(ck, file);
        byte[] imageBytes = Files.readAllBytes(file);
        // a base page some SAME_AS_BASE page is a copy of (so changing it must fail that page), used
        // only by pages after the first block (so earlier pages have reached CRIU when it fails)
        int baseId = -1;
        int basePage = -1;
        java.util.Set<Integer> users = new java.util.HashSet<>();
        try (DedupImage d = DedupImage.read(file)) {
            for (int q = d.pageCount() - 1; q >= 0 && baseId < 0; q--) {
                if (d.kind(q) != org.medes.core.image.PageKind.SAME_AS_BASE) {
                    continue;
                }
                users.clear();
                boolean late = true;
                for (int r = 0; r < d.pageCount(); r++) {
                    boolean usesBase = d.kind(r) == org.medes.core.image.PageKind.SAME_AS_BASE
                            || d.kind(r) == org.medes.core.image.PageKind.PATCH;
                    if (usesBase && d.baseIndex(r) == d.baseIndex(q) && d.basePage(r) == d.basePage(q)) {
                        users.add(r);
                        late &= d.blockOf(r) > 0;
                    }
                }
                if (late) {
                    baseId = d.bases().get(d.baseIndex(q)).base();
                    basePage = d.basePage(q);
                }
            }
        }
        assertThat(baseId).as("a SAME_AS_BASE page whose base page only later blocks use").isNotNegative();
        org.medes.core.base.BasePageSource tampered = new TamperedBases(bases, baseId, basePage);
        Path work = root.resolve("streamed");
        try (DedupStart starts = new DedupStart(CRIU.engine(), tampered, criu)) {
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> starts.startStreamed(file, work));
            assertThat(thrown).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("aborted before the restored process ran")
                    .hasMessageContaining("base page " + basePage)
                    .hasCauseInstanceOf(PageRestoreException.class);
            assertThat(((PageRestoreException) thrown.getCause()).page()).isIn(users);
        }
        assertThat(Processes.isTaken(target.pid())).as("the half-restored process was not left behind").isFalse();
        assertThat(Files.readAllBytes(file)).as("dedup image unchanged").isEqualTo(imageBytes);
        try (DedupStart starts = new DedupStart(CRIU.engine(), bases, criu)) {
            DedupStartResult s = starts.startStreamed(file, root.resolve("streamed-ok"));
            assertThat(FunctionWorker.counter(invokeRestored(s.pid(), target))).isEqualTo(1);
        }
    }

    @Test
    void aStreamedStartPreparedAheadRunsLaterAndAnUnusedOneLeavesNoCriuBehind() throws Exception {
        Pair pair = pair("numpy-sum", 15, "numpy-sum", 16, 0);
        FunctionWorker target = pair.target();
        CheckpointDedup dedup = pair.dedup();
        long first = FunctionWorker.value(target.invoke());
        Path ck = targetCheckpoint(target, null);
        Path file = root.resolve("target.medes");
        dedup.dedup(ck, file);
        try (DedupStart starts = new DedupStart(CRIU.engine(), bases, criu)) {
            Path unusedDir = root.resolve("prepared-unused");
            DedupStart.PreparedStart unused = starts.prepareStreamed(unusedDir);
            try (DedupStart.PreparedStart prepared = starts.prepareStreamed(root.resolve("prepared"))) {
                assertThat(awaitCriuIn(root.resolve("prepared"))).as("criu waits for its files").isNotEmpty();
                DedupStartResult s = prepared.start(file);
                assertCarriesOn(s.pid(), target, 2, first + 2);
                assertThatThrownBy(() -> prepared.start(file)).isInstanceOf(IllegalStateException.class);
            }
            assertThat(awaitCriuIn(unusedDir)).isNotEmpty();
            unused.close();
            assertThat(criuProcessesIn(unusedDir)).as("closing an unused prepared start stops its criu").isEmpty();
            assertThat(unusedDir.resolve(org.medes.criu.tool.ImageStreamer.SOCKET_NAME)).doesNotExist();
        }
    }

    /** {@link #criuProcessesIn}, waiting up to the deadline for one to appear (criu is spawned on another thread). */
    private static List<Long> awaitCriuIn(Path dir) throws IOException, InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        List<Long> found = criuProcessesIn(dir);
        while (found.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(5);
            found = criuProcessesIn(dir);
        }
        return found;
    }

    /** Pids of running criu processes whose command line names {@code dir}. */
    private static List<Long> criuProcessesIn(Path dir) throws IOException {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmd.contains("criu") && cmd.contains(" " + dir + " ")) {
                        out.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // the process ended meanwhile
                }
            }
        }
        return out;
    }

    /** Serves one base page with a byte changed. */
    private record TamperedBases(org.medes.core.base.BasePageSource real, int base, int page)
            implements org.medes.core.base.BasePageSource {
        @Override
        public org.medes.core.page.PageLayout layout(int b) throws org.medes.core.base.BasePageUnavailableException {
            return real.layout(b);
        }

        @Override
        public int node(int b) throws org.medes.core.base.BasePageUnavailableException {
            return real.node(b);
        }

        @Override
        public void readPage(int b, int p, byte[] dst, int off) throws org.medes.core.base.BasePageUnavailableException {
            real.readPage(b, p, dst, off);
            if (b == base && p == page) {
                dst[off + 777] ^= 1;
            }
        }
    }

    @Test
    void aRawDumpRestoresThroughTheImageStreamerFromItsDirectory() throws Exception {
        FunctionWorker target = start("numpy-sum", 17);
        long first = FunctionWorker.value(target.invoke());
        Path ck = targetCheckpoint(target, null);
        Path work = Files.createDirectories(root.resolve("stream-raw"));
        RestoreResult r;
        try (StreamedRestore restore = StreamedRestore.start(criu.criu(), work, ck, java.util.Map.of(), DEADLINE)) {
            r = restore.await();
        }
        assertThat(r.pid()).isEqualTo(target.pid());
        try (java.util.stream.Stream<Path> files = Files.list(work)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("no image file in the work directory")
                    .noneMatch(n -> n.endsWith(".img"));
        }
        assertCarriesOn(r.pid(), target, 2, first + 2);
    }

    @Test
    void plainCriuRestoreOfTheRawDumpForComparison() throws Exception {
        FunctionWorker target = start("numpy-sum", 9);
        target.invoke();
        Path ck = targetCheckpoint(target, null);
        RestoreResult r = criu.restore(ck);
        System.out.printf("medes-criu timing: plain criu restore of the raw dump (tmpfs) %d ms%n", r.elapsed().toMillis());
        assertThat(FunctionWorker.counter(invokeRestored(r.pid(), target))).isEqualTo(2);
        assertThatThrownBy(() -> criu.restore(ck)).as("its pid is taken now")
                .isInstanceOf(CheckpointException.class).hasMessageContaining("pid " + r.pid() + " is still taken");
    }

}
