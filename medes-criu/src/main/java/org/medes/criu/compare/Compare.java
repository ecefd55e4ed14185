package org.medes.criu.compare;

import org.medes.core.engine.DedupEngine;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs engines side by side on one base/target pair: for each engine warm-up round trips (one, or
 * as many as a given time allows), then one or more measured round trips (encode, decode, each timed by wall clock with
 * {@link System#nanoTime}), every one verified page by page against the target. MB/s are 10^6 bytes
 * of the target's raw page data per second of encode ({@code dedup}) or decode ({@code restore}),
 * the median over the measured round trips; verifying is not timed. Engines run one after another
 * on the calling thread; only {@code medes} may use more threads.
 *
 * <p>Thread-safety: stateless; the engines are used by the calling thread only.
 */
public final class Compare {
    private Compare() {
    }

    /** The engines' names in the order {@link #engines} returns them. */
    public static final List<String> ENGINE_NAMES = List.of(MedesEngine.NAME, PaperMedesEngine.NAME, KsmEngine.NAME,
            Lz4PageEngine.NAME, ZstdEngine.NAME, ZstdPatchFromEngine.NAME, Xdelta3Engine.NAME);

    /** Every engine, {@code medes} running its engine on {@code medesThreads} threads; the caller closes them. */
    public static List<CompareEngine> engines(int medesThreads) {
        return engines(medesThreads, DedupEngine.DEFAULT_ZSTD_LEVEL);
    }

    /**
     * Every engine, {@code medes} running its engine on {@code medesThreads} threads with its payload
     * blocks at zstd level {@code medesZstdLevel} (0 to 22; 0: each page alone with LZ4, as
     * {@link DedupEngine.Builder#zstdLevel}); the caller closes them.
     *
     * @throws IllegalArgumentException when the level is outside 0..22 or {@code medesThreads < 1}
     */
    public static List<CompareEngine> engines(int medesThreads, int medesZstdLevel) {
        return List.of(new MedesEngine(medesThreads, medesZstdLevel), new PaperMedesEngine(), new KsmEngine(),
                new Lz4PageEngine(), new ZstdEngine(), new ZstdPatchFromEngine(), new Xdelta3Engine());
    }

    /**
     * Compares {@code engines} on {@code pair}. An engine that is unavailable is left out and the
     * reason printed to {@code notes}; a round trip that fails to decode or rebuilds a wrong page is
     * a row with {@code verified = false}, the reason printed to {@code notes}.
     *
     * @throws IOException when an engine fails to encode
     */
    public static CompareReport run(ComparePair pair, List<? extends CompareEngine> engines, PrintStream notes)
            throws IOException {
        return run(pair, engines, 1, notes);
    }

    /**
     * As {@link #run(ComparePair, List, PrintStream)}, with {@code runs} measured round trips per
     * engine after its warm-up: the speeds are their medians (a JIT-compiled engine such as
     * {@code medes} is still warming up after one round trip; native ones are not).
     *
     * @throws IllegalArgumentException when {@code runs < 1}
     */
    public static CompareReport run(ComparePair pair, List<? extends CompareEngine> engines, int runs,
                                    PrintStream notes) throws IOException {
        return run(pair, engines, runs, Duration.ZERO, notes);
    }

    /**
     * As {@link #run(ComparePair, List, int, PrintStream)}, each engine warming up with round trips
     * (each verified too) until {@code warmUp} has passed, at least one: a JIT-compiled engine
     * reaches its steady speed only after tens of round trips.
     *
     * @throws IllegalArgumentException when {@code runs < 1} or {@code warmUp} is negative
     */
    public static CompareReport run(ComparePair pair, List<? extends CompareEngine> engines, int runs,
                                    Duration warmUp, PrintStream notes) throws IOException {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be at least 1, not " + runs);
        }
        if (warmUp.isNegative()) {
            throw new IllegalArgumentException("warm-up must not be negative, not " + warmUp);
        }
        List<CompareResult> results = new ArrayList<>();
        for (CompareEngine engine : engines) {
            String cause = engine.unavailabilityCause();
            if (cause != null) {
                notes.println("compare: " + engine.name() + " left out: " + cause);
                continue;
            }
            String problem = null;
            long warmUpEnd = System.nanoTime() + warmUp.toNanos();
            do {
                RoundTrip w = roundTrip(engine, pair);
                if (w.problem != null) {
                    problem = "warm-up: " + w.problem;
                }
            } while (problem == null && System.nanoTime() - warmUpEnd < 0);
            long[] encodeNanos = new long[runs];
            long[] decodeNanos = new long[runs];
            long stored = 0;
            for (int r = 0; r < runs; r++) {
                RoundTrip measured = roundTrip(engine, pair);
                if (problem == null && measured.problem != null) {
                    problem = runs == 1 ? measured.problem : "run " + (r + 1) + ": " + measured.problem;
                }
                stored = measured.stored;
                encodeNanos[r] = measured.encodeNanos;
                decodeNanos[r] = measured.decodeNanos;
            }
            if (problem != null) {
                notes.println("compare: " + engine.name() + " not verified: " + problem);
            }
            double raw = pair.rawBytes();
            results.add(new CompareResult(engine.name(), stored, raw == 0 ? 0 : 1 - stored / raw,
                    mbPerSecond(raw, median(encodeNanos)), mbPerSecond(raw, median(decodeNanos)), problem == null,
                    problem));
        }
        return new CompareReport(pair.rawBytes(), pair.target().pageCount(), results);
    }

    /** The median time (of an even count the longer middle one, so the lower middle speed). */
    private static long median(long[] nanos) {
        long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private record RoundTrip(long stored, long encodeNanos, long decodeNanos, String problem) {
    }

    private static RoundTrip roundTrip(CompareEngine engine, ComparePair pair) throws IOException {
        long t0 = System.nanoTime();
        try (CompareEngine.Encoded encoded = engine.encode(pair)) {
            long t1 = System.nanoTime();
            long stored = encoded.storedBytes();
            DecodedPages decoded;
            try {
                decoded = engine.decode(pair, encoded);
            } catch (IOException | RuntimeException e) {
                return new RoundTrip(stored, t1 - t0, 0, "decode failed: " + e);
            }
            long t2 = System.nanoTime();
            try (decoded) {
                int wrong = pair.firstDifferentTargetPage(decoded);
                String problem = wrong < 0 ? null : decoded.pageCount() != pair.target().pageCount()
                        ? "decoded " + decoded.pageCount() + " pages, the target has " + pair.target().pageCount()
                        : "page " + wrong + " (address 0x" + Long.toHexString(pair.target().pageVaddr(wrong))
                        + ") differs from the target's";
                return new RoundTrip(stored, t1 - t0, t2 - t1, problem);
            }
        }
    }

    private static double mbPerSecond(double bytes, long nanos) {
        return nanos <= 0 ? 0 : bytes / 1e6 / (nanos / 1e9);
    }
}
