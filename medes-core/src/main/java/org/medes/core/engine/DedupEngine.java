package org.medes.core.engine;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.openhft.hashing.LongHashFunction;
import org.medes.core.base.BasePageSource;
import org.medes.core.base.BasePageUnavailableException;
import org.medes.core.fingerprint.ValueSampledFingerprinter;
import org.medes.core.image.BaseUse;
import org.medes.core.image.DedupImage;
import org.medes.core.image.DedupImageFormat;
import org.medes.core.image.DedupImageFormatException;
import org.medes.core.image.DedupImageWriter;
import org.medes.core.image.PayloadBlock;
import org.medes.core.image.PayloadBlockCodec;
import org.medes.core.image.PageKind;
import org.medes.core.page.Mapping;
import org.medes.core.page.OffHeap;
import org.medes.core.page.PageLayout;
import org.medes.core.page.PageChecksum;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;
import org.medes.core.patch.PatchCodec;
import org.medes.core.patch.PatchCodecs;
import org.medes.core.patch.PatchDecoder;
import org.medes.core.patch.PatchEncoder;
import org.medes.core.patch.PatchFormatException;
import org.medes.core.patch.PointerMarks;
import org.medes.core.patch.PointerRelocation;
import org.medes.core.registry.FingerprintRegistry;
import org.medes.core.registry.PageRef;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

/**
 * Deduplicates sandbox images against base sandboxes and restores them, in parallel over all
 * cores; the dedup image is byte-for-byte the same whatever the thread count.
 *
 * <h2>Dedup of one image</h2>
 * <ol>
 *   <li>Fingerprint every page ({@link ValueSampledFingerprinter}), look the hashes up in the
 *       registry in batches, and let the {@link BasePageSelector} pick a candidate per page.</li>
 *   <li>The <em>primary base</em> is the base most pages picked. Its mappings are paired with
 *       the image's ({@link MappingAlignment}) and then its pages ({@link PageAlignment}, which
 *       lets content slide by whole pages), which gives every page a second candidate and the
 *       pointer relocation; other bases relocate by whole mappings.</li>
 *   <li>Each page becomes: ZERO; SAME_AS_BASE when a candidate is byte-identical; otherwise the
 *       smallest of a patch against a candidate, LZ4 of the page, LZ4 of the page's bytes
 *       regrouped by their place in its words ({@link WordByteShuffle}: Float64Array data,
 *       found in no base, halves to ~1.2 KB a page where LZ4 alone leaves ~2 KB), or the raw
 *       page. A patch is
 *       used only when it is smaller than the LZ4 of the page; patches of at most
 *       {@link Builder#lz4CheckAbove} bytes (512) are kept without compressing the page, which
 *       costs more than the patch.</li>
 *   <li>Every page records the XXH3-64 of its bytes and of its base page, so a restore can
 *       never return a wrong page.</li>
 *   <li>The payloads of each 256 pages form a block compressed with zstd
 *       ({@link Builder#zstdLevel}, 3 by default). Then patches come from the codec's
 *       {@link PatchCodec#forBlockCompression()} variant, and a page no base matches is stored
 *       as it is (RAW) or regrouped (SHUFFLED), whichever LZ4 finds smaller: LZ4 only estimates
 *       sizes there. On the project's six CRIU worker pairs this saved 2.8-8.9 points more than
 *       compressing each page alone with LZ4 (level 0).</li>
 * </ol>
 * The source is told which bases the image holds ({@link BasePageSource#retain}).
 *
 * <p>Thread-safety: thread-safe; dedups and restores may run concurrently and share the pool.
 */
public final class DedupEngine implements AutoCloseable {
    /** Pages per parallel task; fixed so the output never depends on the thread count. */
    static final int BLOCK_PAGES = 256;
    /** A patch this small is good enough: later candidates are not tried. */
    static final int GOOD_PATCH_BYTES = 256;
    /** Default of {@link Builder#lz4CheckAbove}. */
    public static final int DEFAULT_LZ4_ABOVE = 512;
    /**
     * Default of {@link Builder#zstdLevel}: 6 saves 0.3-0.6 points more memory than 3 on the
     * project's worker checkpoints and restores as fast (its frames decompress no slower), while
     * dedup, which runs when a sandbox goes idle and not on a request's path, is 20-30 % slower.
     */
    public static final int DEFAULT_ZSTD_LEVEL = 6;
    /** The registry's pick is tried after positional candidates only when their best patch is larger than this. */
    static final int POOR_PATCH_BYTES = 1024;

    private static final LongHashFunction XX3 = LongHashFunction.xx3();
    private static final LZ4Compressor LZ4 = LZ4Factory.fastestInstance().fastCompressor();
    private static final LZ4SafeDecompressor UNLZ4 = LZ4Factory.fastestInstance().safeDecompressor();
    private static final long ZERO_PAGE_HASH = XX3.hashBytes(new byte[PageSize.BYTES]);

    private final int threads;
    private final ForkJoinPool pool;
    private final PatchCodec codec;
    private final ValueSampledFingerprinter fingerprinter;
    private final BasePageSelector selector;
    private final int localNode;
    private final int lz4Above;
    private final ThreadLocal<Worker> workers;
    /** Every worker made, so that {@link #close()} frees their native compression contexts. */
    private final java.util.Queue<Worker> allWorkers = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** {@link #runBlocks} as a {@link ParallelLoop}, for the steps between the block-parallel phases. */
    private final ParallelLoop parallel = (n, task) -> runBlocks(n, task::run);

    private DedupEngine(Builder b) {
        this.threads = b.threads;
        this.pool = new ForkJoinPool(threads);
        this.codec = b.codec;
        this.fingerprinter = b.fingerprinter;
        this.selector = b.selector;
        this.localNode = b.localNode;
        this.lz4Above = b.lz4Above;
        int zstdLevel = b.zstdLevel;
        PatchCodec encoding = zstdLevel > 0 ? codec.forBlockCompression() : codec;
        this.workers = ThreadLocal.withInitial(() -> {
            Worker w = new Worker(encoding, fingerprinter, lz4Above, zstdLevel);
            allWorkers.add(w);
            return w;
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    public int threads() {
        return threads;
    }

    public PatchCodec codec() {
        return codec;
    }

    public ValueSampledFingerprinter fingerprinter() {
        return fingerprinter;
    }

    /**
     * Deduplicates {@code image} against the bases in {@code registry}, reading base pages from
     * {@code bases}. The image is not changed; close it once the result is safely stored.
     *
     * @throws BasePageUnavailableException when a base the registry names cannot be read
     */
    public DedupImage dedup(SandboxImage image, FingerprintRegistry registry, BasePageSource bases)
            throws BasePageUnavailableException {
        Objects.requireNonNull(image, "image");
        int n = image.pageCount();
        int blocks = (n + BLOCK_PAGES - 1) / BLOCK_PAGES;
        long[] selected = new long[n];
        Map<Integer, Integer> refCounts = new TreeMap<>();
        BasePageSelector.SelectionContext ctx = new BasePageSelector.SelectionContext() {
            @Override
            public int localNode() {
                return localNode;
            }

            @Override
            public int referenceCount(int base) {
                synchronized (refCounts) {
                    return refCounts.computeIfAbsent(base, bases::referenceCount);
                }
            }
        };
        runBlocks(blocks, blk -> workers.get().select(image, blk, registry, selector, ctx, selected));

        // primary base: most pages selected it
        Map<Integer, Integer> votes = new TreeMap<>();
        for (long r : selected) {
            if (r != PageRef.NONE) {
                votes.merge(PageRef.base(r), 1, Integer::sum);
            }
        }
        int primary = -1;
        for (Map.Entry<Integer, Integer> e : votes.entrySet()) {
            if (primary < 0 || e.getValue() > votes.get(primary)) {
                primary = e.getKey();
            }
        }
        List<Integer> order = new ArrayList<>(votes.keySet());
        if (primary >= 0) {
            order.remove(Integer.valueOf(primary));
            order.add(0, primary);
        }
        BaseContext[] contexts = new BaseContext[order.size()];
        for (int i = 0; i < contexts.length; i++) {
            int b = order.get(i);
            PageLayout layout = bases.layout(b);
            MappingAlignment mappings = ContentPairing.refine(MappingAlignment.align(image.mappings(), layout.mappings()),
                    image, layout, b, bases, parallel);
            // the primary base also offers pages by position: same offset, or content slid by whole pages
            PageAlignment pages = i == 0 ? PageAlignment.prepare(image, layout, b, mappings, bases, parallel) : null;
            contexts[i] = new BaseContext(b, bases.node(b), mappings.relocation(), pages,
                    usableMarks(bases, b, mappings.relocation(), layout.pageCount()));
        }

        PageTable table = new PageTable(n);
        PayloadBlock[] payload = new PayloadBlock[blocks];
        runBlocks(blocks, blk -> {
            Worker w = workers.get();
            w.encodeBlock(image, blk, selected, contexts, bases, table);
            payload[blk] = w.blockCodec.encode(Math.min(BLOCK_PAGES, n - blk * BLOCK_PAGES), w.out, w.outLength);
        });

        // keep only the bases pages really use, primary first
        int[] used = new int[contexts.length];
        for (int p = 0; p < n; p++) {
            if (table.baseIdx[p] >= 0) {
                used[table.baseIdx[p]]++;
            }
        }
        int[] remap = new int[contexts.length];
        List<BaseUse> uses = new ArrayList<>();
        for (int i = 0; i < contexts.length; i++) {
            remap[i] = used[i] > 0 ? uses.size() : -1;
            if (used[i] > 0) {
                uses.add(new BaseUse(contexts[i].base, contexts[i].node, contexts[i].relocation));
            }
        }
        DedupImageWriter writer = new DedupImageWriter(image.id(), image.mappings(), uses, n);
        for (int p = 0; p < n; p++) {
            int bi = table.baseIdx[p] >= 0 ? remap[table.baseIdx[p]] : -1;
            writer.page(p, image.pageVaddr(p), table.pageHash[p], PageKind.ofCode(table.kind[p]), table.codec[p], bi,
                    table.basePage[p], table.baseHash[p], table.payloadLength[p]);
        }
        DedupImage result = writer.finish(Arrays.asList(payload));
        if (!uses.isEmpty()) {
            bases.retain(result.id(), uses.stream().mapToInt(BaseUse::base).toArray());
        }
        return result;
    }

    /**
     * Rebuilds the sandbox image from {@code image} and the base pages in {@code bases}. Every
     * page is checked against its checksum; on any failure nothing is returned and the dedup
     * image is unchanged.
     *
     * @throws PageRestoreException naming the first page that could not be rebuilt and why
     */
    public SandboxImage restore(DedupImage image, BasePageSource bases) throws PageRestoreException {
        int n = image.pageCount();
        SandboxImage.Builder builder = SandboxImage.builder(image.id());
        boolean ok = false;
        try {
            for (Mapping m : image.mappings()) {
                builder.addMapping(m);
            }
            long[] dst = new long[n];
            for (int p = 0; p < n; p++) {
                dst[p] = builder.reservePage(image.pageVaddr(p));
            }
            rebuild(image, bases, dst, false, null);
            SandboxImage out = builder.build();
            ok = true;
            return out;
        } finally {
            if (!ok) {
                builder.discard();
            }
        }
    }

    /**
     * Rebuilds the pages of {@code image} into caller-owned memory: page {@code p} (in the image's
     * address order) goes to {@code address + p * 4096}, for {@code image.pageCount() * 4096}
     * bytes that must stay valid and unshared during the call (a mapped {@code pages-N.img}, for
     * example: no copy of the pages is made in between). Every page is checked as by
     * {@link #restore}; on failure the memory holds an unspecified mix of pages and zeros.
     *
     * @throws PageRestoreException naming the first page that could not be rebuilt and why
     */
    public void restoreInto(DedupImage image, BasePageSource bases, long address) throws PageRestoreException {
        restoreInto(image, bases, address, null);
    }

    /**
     * As {@link #restoreInto(DedupImage, BasePageSource, long)}, telling {@code progress} (when not
     * null) each run of pages as soon as they are rebuilt and checked, so a consumer can pass pages
     * on while later ones are still being rebuilt (a streamed CRIU restore, for example). Runs are
     * the payload blocks, each reported once, from the engine's worker threads, roughly but not
     * strictly in page order; the pages of a block that failed are never reported.
     *
     * @throws PageRestoreException as the three-argument form, after every block has finished
     */
    public void restoreInto(DedupImage image, BasePageSource bases, long address, RebuildProgress progress)
            throws PageRestoreException {
        if (address == 0) {
            throw new IllegalArgumentException("address is null");
        }
        int n = image.pageCount();
        long[] dst = new long[n];
        for (int p = 0; p < n; p++) {
            dst[p] = address + ((long) p << PageSize.SHIFT);
        }
        rebuild(image, bases, dst, true, progress);
    }

    /**
     * Receives the runs of pages {@link #restoreInto(DedupImage, BasePageSource, long, RebuildProgress)}
     * has finished. Called concurrently from the engine's threads; must be quick and must not throw.
     */
    @FunctionalInterface
    public interface RebuildProgress {
        /** Pages {@code [fromPage, toPage)} (image order) are rebuilt, checked and in place. */
        void rebuilt(int fromPage, int toPage);
    }

    /** Rebuilds page {@code p} into {@code dst[p]}; zero pages are written only when {@code writeZeroPages}. */
    private void rebuild(DedupImage image, BasePageSource bases, long[] dst, boolean writeZeroPages,
                         RebuildProgress progress) throws PageRestoreException {
        prefetchBasePages(image, bases);
        long[][] marks = new long[image.bases().size()][];
        for (int i = 0; i < marks.length; i++) {
            BaseUse use = image.bases().get(i);
            try {
                marks[i] = usableMarks(bases, use.base(), use.relocation(), -1);
            } catch (BasePageUnavailableException e) {
                marks[i] = null; // the pages' reads name what is missing
            }
        }
        int blocks = image.blockCount();
        PageRestoreException[] failure = new PageRestoreException[blocks];
        try {
            runBlocks(blocks, blk -> {
                failure[blk] = workers.get().restoreBlock(image, blk, bases, marks, dst, writeZeroPages);
                if (failure[blk] == null && progress != null) {
                    progress.rebuilt(image.blockFirstPage(blk), image.blockFirstPage(blk + 1));
                }
            });
        } catch (BasePageUnavailableException e) {
            throw new IllegalStateException("restore tasks report failures as PageRestoreException", e);
        }
        for (PageRestoreException e : failure) {
            if (e != null) {
                throw e;
            }
        }
    }

    /**
     * The pointer marks of {@code base} when {@code bases} keeps them, they are of the base's
     * {@code pages} pages (any count when negative) and they cover {@code relocation}; else null.
     */
    private static long[] usableMarks(BasePageSource bases, int base, PointerRelocation relocation, int pages)
            throws BasePageUnavailableException {
        PointerMarks m = bases.pointerMarks(base);
        if (m == null || (pages >= 0 && m.pageCount() != pages) || !m.covers(relocation)) {
            return null;
        }
        return m.words();
    }

    /** Tells {@code bases} every base page the restore of {@code image} will read, per base. */
    private static void prefetchBasePages(DedupImage image, BasePageSource bases) {
        int nb = image.bases().size();
        if (nb == 0) {
            return;
        }
        int[][] pages = new int[nb][16];
        int[] count = new int[nb];
        for (int p = 0; p < image.pageCount(); p++) {
            PageKind k = image.kind(p);
            if (k == PageKind.SAME_AS_BASE || k == PageKind.PATCH) {
                int b = image.baseIndex(p);
                if (b < 0 || b >= nb) {
                    continue; // the restore names this page
                }
                if (count[b] == pages[b].length) {
                    pages[b] = Arrays.copyOf(pages[b], count[b] * 2);
                }
                pages[b][count[b]++] = image.basePage(p);
            }
        }
        for (int b = 0; b < nb; b++) {
            if (count[b] > 0) {
                bases.prefetch(image.bases().get(b).base(), Arrays.stream(pages[b], 0, count[b]).sorted().distinct().toArray());
            }
        }
    }

    @FunctionalInterface
    private interface BlockTask {
        void run(int block) throws Exception;
    }

    private void runBlocks(int blocks, BlockTask task) throws BasePageUnavailableException {
        List<Future<?>> futures = new ArrayList<>(blocks);
        for (int b = 0; b < blocks; b++) {
            int blk = b;
            futures.add(pool.submit(() -> {
                task.run(blk);
                return null;
            }));
        }
        Throwable first = null;
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                first = first == null ? e.getCause() : first;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(x -> x.cancel(true));
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (first instanceof BasePageUnavailableException e) {
            throw e;
        } else if (first instanceof RuntimeException e) {
            throw e;
        } else if (first instanceof Error e) {
            throw e;
        } else if (first != null) {
            throw new IllegalStateException(first);
        }
    }

    /** Shuts the worker pool down and frees the workers' native memory; idempotent. */
    @Override
    public void close() {
        pool.shutdown();
        try {
            pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Worker w; (w = allWorkers.poll()) != null; ) {
            w.blockCodec.close();
        }
    }

    /** A base an image may use: its pointer relocation and, for the primary base, its pages by position. */
    private record BaseContext(int base, int node, PointerRelocation relocation, PageAlignment pages, long[] marks) {
    }

    /** Per-page results of the encode pass, filled by disjoint blocks. */
    private static final class PageTable {
        final long[] pageHash;
        final byte[] kind;
        final byte[] codec;
        final int[] baseIdx;
        final int[] basePage;
        final int[] baseHash;
        final int[] payloadLength;

        PageTable(int n) {
            pageHash = new long[n];
            kind = new byte[n];
            codec = new byte[n];
            baseIdx = new int[n];
            basePage = new int[n];
            baseHash = new int[n];
            payloadLength = new int[n];
        }
    }

    /** One thread's scratch space: nothing is allocated per page. */
    private static final class Worker {
        final PatchEncoder encoder;
        final Map<Integer, PatchDecoder> decoders = new java.util.HashMap<>();
        final int k;
        final long[] hashes;
        final long[] refs;
        final int[] start = new int[BLOCK_PAGES + 1];
        final int[] positional = new int[PageAlignment.maxCandidates()];
        final int[] candBaseIdx = new int[PageAlignment.maxCandidates() + 1];
        final int[] candPage = new int[PageAlignment.maxCandidates() + 1];
        final ValueSampledFingerprinter fingerprinter;
        final int codecId;
        final int lz4Above;
        final byte[] page = new byte[PageSize.BYTES];
        final byte[][] base = new byte[PageAlignment.maxCandidates() + 1][PageSize.BYTES];
        final byte[] lz4 = new byte[LZ4.maxCompressedLength(PageSize.BYTES)];
        final byte[] shuffledLz4 = new byte[LZ4.maxCompressedLength(PageSize.BYTES)];
        final byte[] shuffled = new byte[PageSize.BYTES];
        final byte[] patch = new byte[2 * PageSize.BYTES];
        final byte[] best = new byte[2 * PageSize.BYTES];
        byte[] out = new byte[1 << 16];
        int outLength;
        /** The block's SHUFFLED pages so far, 4096 bytes each, appended by byte place at its end. */
        byte[] heldShuffled = new byte[0];
        int heldCount;
        /** Compresses this worker's payload blocks and reads them back. */
        final PayloadBlockCodec blockCodec;
        /** Unique pages are stored as they are (RAW, SHUFFLED) and left to the block compression. */
        final boolean blockCompression;
        byte[] block = new byte[1 << 16];

        Worker(PatchCodec codec, ValueSampledFingerprinter fingerprinter, int lz4Above, int zstdLevel) {
            this.lz4Above = lz4Above;
            this.blockCodec = new PayloadBlockCodec(zstdLevel);
            this.blockCompression = zstdLevel > 0;
            this.encoder = codec.newEncoder();
            this.codecId = codec.id();
            this.fingerprinter = fingerprinter;
            this.k = fingerprinter.k();
            this.hashes = new long[BLOCK_PAGES * k];
            this.refs = new long[BLOCK_PAGES * k];
        }

        void select(SandboxImage image, int blk, FingerprintRegistry registry, BasePageSelector selector,
                    BasePageSelector.SelectionContext ctx, long[] selected) {
            int from = blk * BLOCK_PAGES;
            int to = Math.min(image.pageCount(), from + BLOCK_PAGES);
            int h = 0;
            for (int p = from; p < to; p++) {
                start[p - from] = h;
                h += fingerprinter.fingerprintMemory(image.pageAddress(p), hashes, h);
            }
            start[to - from] = h;
            if (h > 0) {
                registry.lookup(hashes, h, refs);
            }
            for (int p = from; p < to; p++) {
                int s = start[p - from];
                int c = start[p - from + 1] - s;
                selected[p] = c == 0 ? PageRef.NONE : selector.select(refs, s, c, ctx);
            }
        }

        void encodeBlock(SandboxImage image, int blk, long[] selected, BaseContext[] contexts,
                         BasePageSource bases, PageTable t)
                throws BasePageUnavailableException {
            outLength = 0;
            heldCount = 0;
            int from = blk * BLOCK_PAGES;
            int to = Math.min(image.pageCount(), from + BLOCK_PAGES);
            for (int p = from; p < to; p++) {
                image.copyPage(p, page, 0);
                t.pageHash[p] = PageChecksum.ofMemory(image.pageAddress(p));
                t.baseIdx[p] = -1;
                if (t.pageHash[p] == ZERO_PAGE_HASH && isZero(page)) {
                    t.kind[p] = (byte) PageKind.ZERO.code();
                    continue;
                }
                // candidates: pages of the primary base by position, then the fingerprint's pick
                int nc = contexts.length > 0 ? contexts[0].pages.candidates(p, positional) : 0;
                int positionalCount = nc;
                for (int c = 0; c < nc; c++) {
                    candBaseIdx[c] = 0;
                    candPage[c] = positional[c];
                }
                long sel = selected[p];
                if (sel != PageRef.NONE) {
                    int bi = indexOf(contexts, PageRef.base(sel));
                    int bp = PageRef.page(sel);
                    boolean seen = false;
                    for (int c = 0; c < nc; c++) {
                        seen |= candBaseIdx[c] == bi && candPage[c] == bp;
                    }
                    if (!seen) {
                        candBaseIdx[nc] = bi;
                        candPage[nc++] = bp;
                    }
                }
                // try them in order: identical ends it, a good patch ends it, else keep the smallest;
                // of the slid positions only the one sharing most words with the page is tried
                int slid = positionalCount; // positional candidates left: shift 0, then slid ones
                int bestLength = PageSize.BYTES; // a patch must beat the raw page, and below, the page's LZ4
                int bestCand = -1;
                boolean same = false;
                for (int c = 0; c < nc; c++) {
                    if (c >= slid && c > 0 && bestCand >= 0 && bestLength <= POOR_PATCH_BYTES) {
                        break; // positional candidates did well enough: skip the registry's pick
                    }
                    if (c == 1 && slid > 2) {
                        nc = keepMostAlike(1, slid, nc, contexts, bases); // loads base[1]
                        slid = 2;
                    } else {
                        bases.readPage(contexts[candBaseIdx[c]].base, candPage[c], base[c], 0);
                    }
                    if (Arrays.equals(page, 0, PageSize.BYTES, base[c], 0, PageSize.BYTES)) {
                        record(t, p, PageKind.SAME_AS_BASE, 0, candBaseIdx[c], candPage[c], base[c], 0);
                        same = true;
                        break;
                    }
                    BaseContext bc = contexts[candBaseIdx[c]];
                    int len = encoder.encode(page, 0, base[c], 0, bc.relocation, bc.marks,
                            candPage[c] * PointerMarks.LONGS_PER_PAGE, patch, 0,
                            bestLength - 1);
                    if (len >= 0 && len < bestLength) {
                        bestLength = len;
                        bestCand = c;
                        System.arraycopy(patch, 0, best, 0, len);
                        if (len <= GOOD_PATCH_BYTES) {
                            break;
                        }
                    }
                }
                if (same) {
                    continue;
                }
                boolean alone = bestCand < 0 || bestLength > lz4Above;
                int lz4Length = alone ? LZ4.compress(page, 0, PageSize.BYTES, lz4, 0, lz4.length) : Integer.MAX_VALUE;
                int shuffledLength = Integer.MAX_VALUE;
                if (alone) {
                    WordByteShuffle.shuffle(page, shuffled);
                    shuffledLength = LZ4.compress(shuffled, 0, PageSize.BYTES, shuffledLz4, 0, shuffledLz4.length);
                }
                if (shuffledLength < lz4Length && shuffledLength < bestLength) {
                    if (blockCompression) {
                        record(t, p, PageKind.SHUFFLED, PageSize.BYTES, -1, 0, null, 0);
                        holdShuffled(shuffled);
                    } else {
                        record(t, p, PageKind.SHUFFLED_LZ4, shuffledLength, -1, 0, null, 0);
                        append(shuffledLz4, shuffledLength);
                    }
                } else if (lz4Length < bestLength) {
                    if (blockCompression) {
                        record(t, p, PageKind.RAW, PageSize.BYTES, -1, 0, null, 0);
                        append(page, PageSize.BYTES);
                    } else {
                        record(t, p, PageKind.LZ4, lz4Length, -1, 0, null, 0);
                        append(lz4, lz4Length);
                    }
                } else if (bestCand >= 0) {
                    record(t, p, PageKind.PATCH, bestLength, candBaseIdx[bestCand], candPage[bestCand], base[bestCand],
                            codecId);
                    append(best, bestLength);
                } else {
                    record(t, p, PageKind.RAW, PageSize.BYTES, -1, 0, null, 0);
                    append(page, PageSize.BYTES);
                }
            }
            appendShuffled();
        }

        /** Keeps a SHUFFLED page aside until the block's other payloads are written ({@link #appendShuffled}). */
        private void holdShuffled(byte[] regrouped) {
            if (heldShuffled.length < (heldCount + 1) * PageSize.BYTES) {
                heldShuffled = Arrays.copyOf(heldShuffled, Math.max(heldShuffled.length * 2, (heldCount + 1) * PageSize.BYTES));
            }
            System.arraycopy(regrouped, 0, heldShuffled, heldCount * PageSize.BYTES, PageSize.BYTES);
            heldCount++;
        }

        /**
         * Appends the block's SHUFFLED pages after its other payloads, by byte place: place 0 of
         * each in page order, then place 1, ... ({@link org.medes.core.image.DedupImageFormat}).
         */
        private void appendShuffled() {
            int place = DedupImageFormat.SHUFFLED_PLACE_BYTES;
            for (int j = 0; j < 8; j++) {
                for (int k = 0; k < heldCount; k++) {
                    if (outLength + place > out.length) {
                        out = Arrays.copyOf(out, Math.max(out.length * 2, outLength + place));
                    }
                    System.arraycopy(heldShuffled, k * PageSize.BYTES + j * place, out, outLength, place);
                    outLength += place;
                }
            }
            heldCount = 0;
        }

        /**
         * Of candidates {@code from..to}, keeps at {@code from} (loaded into {@code base[from]})
         * only the base page with most words equal to the page; the candidates after {@code to}
         * move down. Returns the new candidate count.
         */
        private int keepMostAlike(int from, int to, int nc, BaseContext[] contexts, BasePageSource bases)
                throws BasePageUnavailableException {
            int bestAt = from;
            int bestScore = -1;
            for (int c = from; c < to; c++) {
                bases.readPage(contexts[candBaseIdx[c]].base, candPage[c], base[c], 0);
                int score = PageAlignment.rawScore(page, base[c]);
                if (score > bestScore) {
                    bestScore = score;
                    bestAt = c;
                }
            }
            if (bestAt != from) {
                byte[] swap = base[from];
                base[from] = base[bestAt];
                base[bestAt] = swap;
                candPage[from] = candPage[bestAt];
                candBaseIdx[from] = candBaseIdx[bestAt];
            }
            int removed = to - from - 1;
            for (int c = to; c < nc; c++) {
                candPage[c - removed] = candPage[c];
                candBaseIdx[c - removed] = candBaseIdx[c];
            }
            return nc - removed;
        }

        private static int indexOf(BaseContext[] contexts, int base) {
            for (int i = 0; i < contexts.length; i++) {
                if (contexts[i].base == base) {
                    return i;
                }
            }
            throw new IllegalStateException("base " + base + " was selected but has no context");
        }

        private void record(PageTable t, int p, PageKind kind, int payloadLength, int baseIdx, int basePage,
                            byte[] basePageBytes, int codecId) {
            t.kind[p] = (byte) kind.code();
            t.payloadLength[p] = payloadLength;
            t.baseIdx[p] = baseIdx;
            t.basePage[p] = baseIdx >= 0 ? basePage : 0;
            // only a PATCH page's base checksum is stored; a SAME_AS_BASE page's base page is the page
            t.baseHash[p] = kind == PageKind.PATCH ? (int) XX3.hashBytes(basePageBytes) : 0;
            t.codec[p] = (byte) codecId;
        }

        private void append(byte[] src, int len) {
            if (outLength + len > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, outLength + len));
            }
            System.arraycopy(src, 0, out, outLength, len);
            outLength += len;
        }

        PageRestoreException restoreBlock(DedupImage image, int blk, BasePageSource bases, long[][] marks, long[] dst,
                                          boolean writeZeroPages) {
            int from = image.blockFirstPage(blk);
            int to = image.blockFirstPage(blk + 1);
            if (block.length < image.blockRawLength(blk)) {
                block = new byte[image.blockRawLength(blk)];
            }
            byte[] b = block;
            try {
                blockCodec.read(image, blk, b);
            } catch (DedupImageFormatException e) {
                return from < to ? fail(image, from, e.getMessage(), e) : null;
            }
            byte[] basePage = base[0];
            for (int p = from; p < to; p++) {
                PageKind kind = image.kind(p);
                long expected = image.pageHash(p);
                int at = image.payloadOffsetInBlock(p);
                int len = image.payloadLength(p);
                try {
                    switch (kind) {
                        case ZERO -> {
                            if (expected != ZERO_PAGE_HASH) {
                                return fail(image, p, "page table says zero page but its checksum is of another page", null);
                            }
                            if (writeZeroPages) {
                                OffHeap.zero(dst[p], PageSize.BYTES);
                            }
                            continue; // otherwise reserved pages are already zero
                        }
                        case SAME_AS_BASE -> {
                            // straight into place, checked there
                            readBaseTo(image, p, bases, dst[p]);
                            long actual = PageChecksum.ofMemory(dst[p]);
                            if (actual != expected) {
                                OffHeap.copyToArray(dst[p], page, 0, PageSize.BYTES);
                                return mismatch(image, p, kind, expected, actual, page);
                            }
                            continue;
                        }
                        case PATCH -> {
                            readBase(image, p, bases, basePage);
                            if (len > patch.length) {
                                return fail(image, p, "patch of " + len + " bytes is longer than any valid patch", null);
                            }
                            PatchDecoder decoder = decoder(image.codecId(p));
                            PointerRelocation reloc = image.bases().get(image.baseIndex(p)).relocation();
                            long[] mk = marks[image.baseIndex(p)];
                            int mkOff = mk == null ? 0 : image.basePage(p) * PointerMarks.LONGS_PER_PAGE;
                            if (mk != null && mkOff + PointerMarks.LONGS_PER_PAGE > mk.length) {
                                mk = null; // a base page the base does not have: the read above failed already
                            }
                            // straight into place, checked there: no page array and no copy in between
                            decoder.decodeTo(b, at, len, basePage, 0, reloc, mk, mkOff, dst[p], page);
                            long actual = PageChecksum.ofMemory(dst[p]);
                            if (actual != expected) {
                                return mismatch(image, p, kind, expected, actual, basePage);
                            }
                            continue;
                        }
                        case LZ4 -> unlz4(image, p, "LZ4 block", b, at, len, page);
                        case SHUFFLED_LZ4 -> {
                            unlz4(image, p, "shuffled LZ4 block", b, at, len, shuffled);
                            WordByteShuffle.unshuffle(shuffled, 0, page);
                        }
                        case SHUFFLED -> {
                            // straight into place, checked there
                            WordByteShuffle.unshuffleTo(b, at, image.shuffledPlaceStride(blk), dst[p]);
                            long actual = PageChecksum.ofMemory(dst[p]);
                            if (actual != expected) {
                                return mismatch(image, p, kind, expected, actual, null);
                            }
                            continue;
                        }
                        case RAW -> {
                            // checked in the block, then copied once
                            long actual = XX3.hashBytes(b, at, PageSize.BYTES);
                            if (actual != expected) {
                                return mismatch(image, p, kind, expected, actual, null);
                            }
                            OffHeap.copyFromArray(b, at, dst[p], PageSize.BYTES);
                            continue;
                        }
                    }
                } catch (PageRestoreException e) {
                    return e;
                } catch (PatchFormatException e) {
                    PageRestoreException changed = baseChanged(image, p, basePage);
                    return changed != null ? changed : fail(image, p, "corrupt patch: " + e.getMessage(), e);
                }
                long actual = XX3.hashBytes(page);
                if (actual != expected) {
                    return mismatch(image, p, kind, expected, actual, kind == PageKind.SAME_AS_BASE ? page : null);
                }
                OffHeap.copyFromArray(page, 0, dst[p], PageSize.BYTES);
            }
            return null;
        }

        /** Decompresses page {@code p}'s LZ4 payload {@code b[at..at+len)} into the 4096 bytes of {@code into}. */
        private void unlz4(DedupImage image, int p, String what, byte[] b, int at, int len, byte[] into)
                throws PageRestoreException {
            if (len > lz4.length) {
                throw fail(image, p, what + " of " + len + " bytes is longer than any 4 KiB page needs", null);
            }
            int got;
            try {
                got = UNLZ4.decompress(b, at, len, into, 0, PageSize.BYTES);
            } catch (LZ4Exception e) {
                throw fail(image, p, "malformed " + what + ": " + e.getMessage(), e);
            }
            if (got != PageSize.BYTES) {
                throw fail(image, p, what + " decodes to " + got + " bytes, not 4096", null);
            }
        }

        /** Reads page {@code p}'s base page to native {@code address}. */
        private void readBaseTo(DedupImage image, int p, BasePageSource bases, long address) throws PageRestoreException {
            BaseUse use = image.bases().get(image.baseIndex(p));
            try {
                bases.readPageTo(use.base(), image.basePage(p), address, page);
            } catch (BasePageUnavailableException e) {
                throw missing(image, p, use, e);
            }
        }

        /** Reads page {@code p}'s base page into {@code into}. */
        private void readBase(DedupImage image, int p, BasePageSource bases, byte[] into) throws PageRestoreException {
            BaseUse use = image.bases().get(image.baseIndex(p));
            try {
                bases.readPage(use.base(), image.basePage(p), into, 0);
            } catch (BasePageUnavailableException e) {
                throw missing(image, p, use, e);
            }
        }

        private static PageRestoreException missing(DedupImage image, int p, BaseUse use, BasePageUnavailableException e) {
            return fail(image, p, "base page " + image.basePage(p) + " of base " + use.base() + " is missing: "
                    + e.getMessage(), e);
        }

        /**
         * The failure of page {@code p}, rebuilt with checksum {@code actual} instead of
         * {@code expected}: a changed base page when {@code basePageBytes} (the base page it was
         * rebuilt from, or null) is not the one it was encoded against, else a corrupt payload.
         * Only called on a mismatch: the fast path hashes each page once.
         */
        private static PageRestoreException mismatch(DedupImage image, int p, PageKind kind, long expected, long actual,
                                                     byte[] basePageBytes) {
            PageRestoreException changed = basePageBytes != null ? baseChanged(image, p, basePageBytes) : null;
            return changed != null ? changed : fail(image, p, "rebuilt page does not match its checksum (stored 0x"
                    + Long.toHexString(expected) + ", rebuilt 0x" + Long.toHexString(actual) + "): corrupt " + kind
                    + " payload", null);
        }

        /** The failure to report when the base page read for page {@code p} is not the one it was encoded against, else null. */
        private static PageRestoreException baseChanged(DedupImage image, int p, byte[] basePageBytes) {
            int h = (int) XX3.hashBytes(basePageBytes);
            if (h == image.baseHash(p)) {
                return null;
            }
            return fail(image, p, "base page " + image.basePage(p) + " of base " + image.bases().get(image.baseIndex(p)).base()
                    + " changed since the dedup (checksum 0x" + Integer.toHexString(h) + ", expected 0x"
                    + Integer.toHexString(image.baseHash(p)) + ")", null);
        }

        private PatchDecoder decoder(int codecId) throws PatchFormatException {
            PatchDecoder d = decoders.get(codecId);
            if (d == null) {
                d = PatchCodecs.byId(codecId).newDecoder();
                decoders.put(codecId, d);
            }
            return d;
        }

        private static PageRestoreException fail(DedupImage image, int p, String reason, Throwable cause) {
            return new PageRestoreException(image.id(), p, image.pageVaddr(p), reason, cause);
        }

        private static boolean isZero(byte[] b) {
            for (byte x : b) {
                if (x != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Configures a {@link DedupEngine}; each setter may be called once. */
    public static final class Builder {
        private int threads = Runtime.getRuntime().availableProcessors();
        private PatchCodec codec = PatchCodecs.defaultCodec();
        private ValueSampledFingerprinter fingerprinter = new ValueSampledFingerprinter();
        private BasePageSelector selector = BasePageSelector.mostMatches();
        private int localNode;
        private int lz4Above = DEFAULT_LZ4_ABOVE;
        private int zstdLevel = DEFAULT_ZSTD_LEVEL;
        private final Set<String> set = new HashSet<>();

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException(name + " was already set");
            }
        }

        /** Worker threads (default: all cores). */
        public Builder threads(int threads) {
            once("threads");
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, was " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Patch codec (default {@link PatchCodecs#defaultCodec()}). */
        public Builder codec(PatchCodec codec) {
            once("codec");
            this.codec = Objects.requireNonNull(codec);
            return this;
        }

        /** Fingerprinter; must match the one bases were registered with (default k = 5). */
        public Builder fingerprinter(ValueSampledFingerprinter fingerprinter) {
            once("fingerprinter");
            this.fingerprinter = Objects.requireNonNull(fingerprinter);
            return this;
        }

        /** Base page selection (default {@link BasePageSelector#mostMatches()}). */
        public Builder selector(BasePageSelector selector) {
            once("selector");
            this.selector = Objects.requireNonNull(selector);
            return this;
        }

        /** The node this engine runs on, for the same-node tie break (default 0). */
        public Builder localNode(int node) {
            once("localNode");
            this.localNode = PageRef.checkNode(node);
            return this;
        }

        /**
         * A page with a patch of at most {@code bytes} is not also compressed alone to check that
         * the patch is smaller (default {@value #DEFAULT_LZ4_ABOVE}; 0 always checks). LZ4 of a
         * page costs more than its patch; on the project's Python and Node pairs a patch of at
         * most 512 B lost to LZ4 on at most 4 pages of ~3700 (by at most 221 B in all).
         */
        public Builder lz4CheckAbove(int bytes) {
            once("lz4CheckAbove");
            if (bytes < 0 || bytes > PageSize.BYTES) {
                throw new IllegalArgumentException("lz4CheckAbove must be in 0.." + PageSize.BYTES + ", was " + bytes);
            }
            this.lz4Above = bytes;
            return this;
        }

        /**
         * zstd level of the payload blocks (default {@value #DEFAULT_ZSTD_LEVEL}; 0 stores them as
         * they are). With block compression on, patches skip their codec's own LZ4 stage and pages
         * no base matches are stored raw or regrouped ({@link PageKind#SHUFFLED}) for zstd to
         * compress with its neighbours; with 0, each page is compressed alone with LZ4.
         */
        public Builder zstdLevel(int level) {
            once("zstdLevel");
            if (level < 0 || level > 22) {
                throw new IllegalArgumentException("zstdLevel must be in 0..22, was " + level);
            }
            this.zstdLevel = level;
            return this;
        }

        public DedupEngine build() {
            return new DedupEngine(this);
        }
    }
}
