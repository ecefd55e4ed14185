package org.medes.criu.checkpoint;

import org.medes.core.base.BaseSandboxes;
import org.medes.core.engine.DedupEngine;
import org.medes.core.registry.OffHeapFingerprintRegistry;
import org.medes.criu.tool.CriuSwrk;
import org.medes.criu.tool.FileTrees;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three start times of a Python/numpy worker, measured on real processes with real CRIU
 * (README, "Dedup start times"): <b>cold start</b> (process start to its first answer),
 * <b>plain restore</b> (CRIU restore of the raw dump from tmpfs, then the first answer) and
 * <b>dedup start</b> (dedup image read, pages rebuilt and checked, image written, CRIU restore,
 * first answer), plus dump times, for each CRIU {@link CriuCheckpointer.Mode} asked for.
 *
 * <p>One base worker ({@code numpy-sum}, input 1) is checkpointed with leave-running and added
 * as the base. Each run, for each mode: a fresh target worker ({@code numpy-sum}, input 2) is
 * started (cold start), invoked twice, dumped (killed) into a new directory on {@code /dev/shm};
 * the raw dump is restored and invoked, the restored process killed; the dump is deduplicated
 * against the base (raw pages deleted) and dedup-started, invoked and killed. Every answer is
 * checked to carry on from the state before the dump. Before the rounds, one more worker's dedup
 * image is rebuilt in a loop for {@link #ENGINE_WARM_UP} (the JIT compiles the engine); then
 * {@value #WARM_UP} warm-up rounds are not counted; medians are over {@code runs}. Run by {@code ./medes start-bench}.
 *
 * <p>Thread-safety: not thread-safe; one run at a time (it owns the pids it restores).
 */
public final class StartBenchmark {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    /** How long a criu started ahead of need has before the clock starts. */
    private static final Duration AHEAD = Duration.ofMillis(100);
    /** Rounds run first and not counted by default (the JIT compiles the engine meanwhile). */
    public static final int WARM_UP = 2;
    /**
     * Time spent by default, before the rounds, rebuilding one more worker's dedup image in a loop,
     * so the rounds measure the engine compiled, as a platform's long-running JVM runs it (without
     * it, two rounds leave the rebuild half compiled: 11-14 ms where it settles at 8-10).
     */
    public static final Duration ENGINE_WARM_UP = Duration.ofSeconds(3);

    /** Named samples in milliseconds, in the order first added. */
    public static final class Samples {
        private final Map<String, List<Double>> byName = new LinkedHashMap<>();

        void add(String name, Duration d) {
            byName.computeIfAbsent(name, k -> new ArrayList<>()).add(d.toNanos() / 1e6);
        }

        public Map<String, List<Double>> all() {
            return byName;
        }

        /** The median of {@code name}'s samples (mean of the middle two for an even count). */
        public double median(String name) {
            List<Double> s = new ArrayList<>(byName.getOrDefault(name, List.of()));
            if (s.isEmpty()) {
                return Double.NaN;
            }
            s.sort(null);
            int n = s.size();
            return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
        }
    }

    private final Path root;
    private final int threads;
    private final List<CriuCheckpointer.Mode> modes;
    private final PrintStream log;
    private final int warmUp;
    private final Duration engineWarmUp;

    /** As {@link #StartBenchmark(Path, int, List, PrintStream, int)} with {@value #WARM_UP} warm-up rounds. */
    public StartBenchmark(Path root, int threads, List<CriuCheckpointer.Mode> modes, PrintStream log) {
        this(root, threads, modes, log, WARM_UP);
    }

    /** As {@link #StartBenchmark(Path, int, List, PrintStream, int, Duration)} with {@link #ENGINE_WARM_UP}. */
    public StartBenchmark(Path root, int threads, List<CriuCheckpointer.Mode> modes, PrintStream log, int warmUp) {
        this(root, threads, modes, log, warmUp, ENGINE_WARM_UP);
    }

    /**
     * @param root    a directory on tmpfs for workers and checkpoints (created; left for the caller to delete)
     * @param threads the engine's threads for dedup and rebuild
     * @param modes   the CRIU modes to measure, each in every run
     * @param log     one line per run, or null
     * @param warmUp  rounds run first and not counted
     * @param engineWarmUp time spent rebuilding one more worker's dedup image before the rounds (zero: none)
     */
    public StartBenchmark(Path root, int threads, List<CriuCheckpointer.Mode> modes, PrintStream log, int warmUp,
                          Duration engineWarmUp) {
        if (engineWarmUp.isNegative()) {
            throw new IllegalArgumentException("engine warm-up must not be negative, not " + engineWarmUp);
        }
        this.engineWarmUp = engineWarmUp;
        this.warmUp = warmUp;
        this.root = root;
        this.threads = threads;
        this.modes = List.copyOf(modes);
        this.log = log;
    }

    /** Runs one warm-up and {@code runs} measured rounds. */
    public Samples run(int runs) throws IOException {
        Files.createDirectories(root);
        Samples samples = new Samples();
        try (OffHeapFingerprintRegistry registry = new OffHeapFingerprintRegistry();
             BaseSandboxes bases = BaseSandboxes.builder().registry(registry).build();
             DedupEngine engine = DedupEngine.builder().threads(threads).build();
             FunctionWorker base = FunctionWorker.start("numpy-sum", 1, root.resolve("base"), DEADLINE);
             DedupStart streamedStarts = new DedupStart(engine, bases, CriuCheckpointer.system(CriuCheckpointer.Mode.CLI))) {
            base.invoke();
            CriuCheckpointer cli = CriuCheckpointer.system(CriuCheckpointer.Mode.CLI);
            Path baseDir = root.resolve("base-ck");
            cli.dump(base.pid(), baseDir, true);
            CheckpointDedup dedup = new CheckpointDedup(engine, bases);
            dedup.addBase("numpy-sum", baseDir);
            warmUpEngine(dedup, streamedStarts);
            // one DedupStart per CRIU mode for all rounds, as a platform keeps one: its rebuild buffer stays mapped
            java.util.Map<CriuCheckpointer.Mode, DedupStart> starts = new java.util.EnumMap<>(CriuCheckpointer.Mode.class);
            try {
                for (CriuCheckpointer.Mode mode : modes) {
                    starts.put(mode, new DedupStart(engine, bases, CriuCheckpointer.system(mode)));
                }
                for (int run = 1 - warmUp; run <= runs; run++) {
                    for (CriuCheckpointer.Mode mode : modes) {
                        Samples into = run <= 0 ? new Samples() : samples;
                        round(run, mode, dedup, starts.get(mode), streamedStarts, into);
                    }
                }
            } finally {
                starts.values().forEach(DedupStart::close);
            }
        }
        return samples;
    }

    /** Rebuilds the dedup image of one more worker (input 3) for {@link #engineWarmUp}; every rebuild checks every page. */
    private void warmUpEngine(CheckpointDedup dedup, DedupStart starts) throws IOException {
        if (engineWarmUp.isZero()) {
            return;
        }
        Path dir = root.resolve("engine-warm-up");
        try (FunctionWorker w = FunctionWorker.start("numpy-sum", 3, dir.resolve("worker"), DEADLINE)) {
            w.invoke();
            CriuCheckpointer.system(CriuCheckpointer.Mode.CLI).dump(w.pid(), dir.resolve("ck"), false);
            w.awaitReaped(DEADLINE);
        }
        Path file = dir.resolve("w.medes");
        dedup.dedup(dir.resolve("ck"), file);
        long end = System.nanoTime() + engineWarmUp.toNanos();
        int n = 0;
        RebuildResult last = null;
        do {
            Path out = dir.resolve("rebuilt");
            last = starts.rebuild(file, out);
            FileTrees.delete(out);
            n++;
        } while (System.nanoTime() - end < 0);
        if (log != null) {
            log.printf("engine warm-up: %d rebuilds of a %d-page dedup image in %d s, the last in %.1f ms%n", n,
                    last.pages(), engineWarmUp.toSeconds(), last.rebuildPages().toNanos() / 1e6);
        }
        FileTrees.delete(dir);
    }

    private void round(int run, CriuCheckpointer.Mode mode, CheckpointDedup dedup,
                       DedupStart starts, DedupStart streamedStarts, Samples s) throws IOException {
        String m = mode.name().toLowerCase(java.util.Locale.ROOT);
        CriuCheckpointer criu = CriuCheckpointer.system(mode);
        Path dir = root.resolve("run" + (run + warmUp) + "-" + m);
        FunctionWorker target = FunctionWorker.start("numpy-sum", 2, dir.resolve("worker"), DEADLINE);
        try {
            s.add("cold start", target.coldStart());
            target.invoke();
            long value = FunctionWorker.value(target.invoke());
            Path ck = dir.resolve("ck");
            DumpResult d = criu.dump(target.pid(), ck, false);
            target.awaitReaped(DEADLINE);
            s.add("dump " + m, d.elapsed());

            long t0 = System.nanoTime();
            RestoreResult plain = criu.restore(ck);
            long tRestored = System.nanoTime();
            Duration plainStart = answer(target, plain.pid(), value, 3, t0);
            s.add("plain restore " + m + ": criu", Duration.ofNanos(tRestored - t0));
            s.add("plain restore " + m + " + answer", plainStart);
            if (mode == CriuCheckpointer.Mode.RPC) {
                // the same with criu swrk spawned ahead of need, as a platform could keep one waiting
                CriuSwrk swrk = criu.spawnSwrk();
                pause(AHEAD);
                long ta = System.nanoTime();
                RestoreResult ahead = criu.restore(ck, swrk);
                s.add("plain restore rpc, swrk ahead + answer", answer(target, ahead.pid(), value, 3, ta));
            }

            dedup.dedup(ck, dir.resolve("target.medes"));
            long t1 = System.nanoTime();
            DedupStartResult started = starts.start(dir.resolve("target.medes"), dir.resolve("started"));
            Duration dedupStart = answer(target, started.pid(), value, 3, t1);
            RebuildResult b = started.rebuild();
            s.add("dedup start " + m + ": read", b.readImage());
            s.add("dedup start " + m + ": rebuild", b.rebuildPages());
            s.add("dedup start " + m + ": write", b.writeImage());
            s.add("dedup start " + m + ": criu", started.restore().elapsed());
            s.add("dedup start " + m + " + answer", dedupStart);

            long t2 = System.nanoTime();
            DedupStartResult streamed = streamedStarts.startStreamed(dir.resolve("target.medes"),
                    dir.resolve("streamed"));
            Duration streamedStart = answer(target, streamed.pid(), value, 3, t2);
            s.add("streamed dedup start: read", streamed.rebuild().readImage());
            s.add("streamed dedup start: rebuild", streamed.rebuild().rebuildPages());
            s.add("streamed dedup start: criu", streamed.restore().elapsed());
            s.add("streamed dedup start + answer", streamedStart);

            if (mode == CriuCheckpointer.Mode.RPC) {
                try (DedupStart.PreparedStart prepared = streamedStarts.prepareStreamed(dir.resolve("prepared"))) {
                    pause(AHEAD);
                    long tp = System.nanoTime();
                    DedupStartResult p = prepared.start(dir.resolve("target.medes"));
                    s.add("streamed dedup start, criu ahead + answer", answer(target, p.pid(), value, 3, tp));
                }
            }
            if (log != null) {
                log.printf("run %d %s: cold %.1f ms, dump %.1f ms, plain restore+answer %.1f ms, dedup start+answer "
                                + "%.1f ms (read %d, rebuild %d, write %d, criu %d), streamed dedup start+answer %.1f ms"
                                + " (criu %d)%s%n", run, m,
                        target.coldStart().toNanos() / 1e6, d.elapsed().toNanos() / 1e6, plainStart.toNanos() / 1e6,
                        dedupStart.toNanos() / 1e6, b.readImage().toMillis(), b.rebuildPages().toMillis(),
                        b.writeImage().toMillis(), started.restore().elapsed().toMillis(),
                        streamedStart.toNanos() / 1e6, streamed.restore().elapsed().toMillis(),
                        run <= 0 ? " (warm-up)" : "");
            }
        } finally {
            target.close();
            FileTrees.delete(dir);
        }
    }

    /**
     * Waits for the restored worker's first answer to an invocation, checks it carries on from
     * {@code value} (the answer to invocation {@code k - 1}), kills it and waits until its pid is free.
     *
     * @return from {@code t0} to the first answer
     */
    private static Duration answer(FunctionWorker original, long pid, long value, int k, long t0) throws IOException {
        FunctionWorker restored = FunctionWorker.attach(pid, original.dir());
        try {
            String a = restored.invoke();
            Duration d = Duration.ofNanos(System.nanoTime() - t0);
            if (FunctionWorker.counter(a) != k || FunctionWorker.value(a) != value + k) {
                throw new IOException("restored worker " + pid + " answered '" + a + "', expected counter " + k
                        + " and value " + (value + k));
            }
            return d;
        } finally {
            restored.close();
            if (!Processes.awaitFree(pid, DEADLINE)) {
                throw new IOException("restored worker " + pid + " was killed but its pid is still taken");
            }
        }
    }

    /** Lets a process started ahead of need finish its start-up before the clock starts. */
    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
