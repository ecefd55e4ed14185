package org.medes.jmh;

import org.medes.core.engine.MappingAlignment;
import org.medes.criu.checkpoint.CheckpointDedup;
import org.medes.core.engine.SyntheticSandboxes;
import org.medes.core.page.PageSize;
import org.medes.core.page.ProcessMemorySnapshot;
import org.medes.core.page.SandboxImage;
import org.medes.core.patch.PointerMarks;
import org.medes.core.patch.PointerRelocation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Pages for the benchmarks: a base image and a target image of "the same function", and the
 * target's pages paired with the base page at the same offset of the aligned mapping.
 *
 * <ul>
 *   <li>{@code real}: two live Python processes with different inputs (ASLR on), read through
 *       {@code /proc/PID/mem} as a CRIU dump would keep their pages (needs root).</li>
 *   <li>{@code synthetic}: the test suite's pointer-shifted sandboxes, 16 times the test size
 *       (3584 pages; every mapping moved by its own offset, 2 % of words edited, some heap
 *       pages' content slid by a few words).</li>
 *   <li>a directory path: one function of a corpus written by {@code ./medes corpus --out DIR},
 *       e.g. {@code DIR/python-numpy-sum}; its CRIU checkpoints {@code 0} and {@code 1} are the
 *       base and the target. The same files give the same pages in every fork and every build,
 *       so A/B comparisons need no more forks than JMH's own noise asks for; {@code real}
 *       differs from fork to fork (decode of one build has ranged 2.0-3.3 GB/s).</li>
 * </ul>
 */
public final class PageCorpus implements AutoCloseable {
    /** Pages per benchmark invocation of the per-page benchmarks. */
    public static final int PAGES = 1024;

    static final String PYTHON_WORKER = String.join("\n",
            "import json, random, sys",
            "seed = int(sys.argv[1]); random.seed(seed)",
            "users = [{'id': i, 'name': 'user%d' % i, 'score': random.random(), 'tags': ['t%d' % (i % 17)] * (i % 5)}",
            "         for i in range(20000 + seed % 1000)]",
            "index = {u['name']: u for u in users}",
            "blob = json.dumps(users[:2000])",
            "print('ready', flush=True)",
            "sys.stdin.readline()");

    public final SandboxImage base;
    public final SandboxImage target;
    public final PointerRelocation relocation;
    /** {@link #PAGES} target pages that differ from their aligned base page, and those base pages. */
    public final byte[][] targetPages = new byte[PAGES][];
    public final byte[][] basePages = new byte[PAGES][];
    /** Index in {@link #base} of each of {@link #basePages}. */
    public final int[] basePageIndex = new int[PAGES];
    /** The base's pointer marks, as a base sandbox keeps them. */
    public final PointerMarks marks;
    /** Native addresses of {@link #PAGES} non-zero target pages, for fingerprinting. */
    public final long[] targetAddresses = new long[PAGES];

    private PageCorpus(SandboxImage base, SandboxImage target) {
        this.base = base;
        this.target = target;
        MappingAlignment a = MappingAlignment.align(target.mappings(), base.mappings());
        this.relocation = a.relocation();
        this.marks = PointerMarks.of(base);
        if (!marks.covers(relocation)) {
            throw new IllegalStateException("the base's pointer marks do not cover the pair's relocation");
        }
        int n = 0;
        int f = 0;
        byte[] zero = new byte[PageSize.BYTES];
        for (int round = 0; round < 64 && (n < PAGES || f < PAGES); round++) {
            for (int p = 0; p < target.pageCount() && (n < PAGES || f < PAGES); p++) {
                byte[] t = target.page(p);
                if (Arrays.equals(t, zero)) {
                    continue;
                }
                if (f < PAGES) {
                    targetAddresses[f++] = target.pageAddress(p);
                }
                int bp = a.alignedPage(target.pageMapping(p), target.pageVaddr(p), base);
                if (bp < 0 || n >= PAGES) {
                    continue;
                }
                byte[] b = base.page(bp);
                if (!Arrays.equals(t, b)) {
                    targetPages[n] = t;
                    basePageIndex[n] = bp;
                    basePages[n++] = b;
                }
            }
        }
        if (n < PAGES || f < PAGES) {
            throw new IllegalStateException("corpus too small: " + n + " differing pairs, " + f + " non-zero pages");
        }
    }

    /** Opens the named corpus: {@code real}, {@code synthetic} or a corpus function's directory. */
    public static PageCorpus open(String name) throws IOException {
        return switch (name) {
            case "real" -> real();
            case "synthetic" -> new PageCorpus(SyntheticSandboxes.instance("base", 42, 1, 0.02, false, 16),
                    SyntheticSandboxes.instance("target", 42, 2, 0.02, true, 16));
            default -> {
                if (!name.startsWith("/")) {
                    throw new IllegalArgumentException("unknown corpus " + name
                            + " (real, synthetic, or the absolute path of a function's directory in a ./medes corpus)");
                }
                java.nio.file.Path dir = java.nio.file.Path.of(name);
                yield new PageCorpus(CheckpointDedup.read(dir.resolve("0"), dir.getFileName() + "-0"),
                        CheckpointDedup.read(dir.resolve("1"), dir.getFileName() + "-1"));
            }
        };
    }

    static PageCorpus real() throws IOException {
        Process a = startWorker(1);
        Process b = startWorker(2);
        try {
            return new PageCorpus(ProcessMemorySnapshot.capture(a.pid(), "python-1"),
                    ProcessMemorySnapshot.capture(b.pid(), "python-2"));
        } finally {
            stop(a);
            stop(b);
        }
    }

    private static Process startWorker(int seed) throws IOException {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", PYTHON_WORKER, Integer.toString(seed))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (!"ready".equals(line)) {
            p.destroyForcibly();
            throw new IOException("python worker did not start: " + line);
        }
        return p;
    }

    private static void stop(Process p) {
        try {
            p.getOutputStream().close();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException | InterruptedException e) {
            p.destroyForcibly();
        }
    }

    @Override
    public void close() {
        base.close();
        target.close();
    }
}
