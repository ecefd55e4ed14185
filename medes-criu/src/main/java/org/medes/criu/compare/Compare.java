package org.medes.criu.compare;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs engines side by side on one base/target pair: for each engine one warm-up round trip, then
 * one measured round trip (encode, decode, each timed by wall clock with {@link System#nanoTime}),
 * both verified page by page against the target. MB/s are 10^6 bytes of the target's raw page data
 * per second of encode ({@code dedup}) or decode ({@code restore}); verifying is not timed. Engines
 * run one after another on the calling thread; only {@code medes} may use more threads.
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
        return List.of(new MedesEngine(medesThreads), new PaperMedesEngine(), new KsmEngine(), new Lz4PageEngine(),
                new ZstdEngine(), new ZstdPatchFromEngine(), new Xdelta3Engine());
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
        List<CompareResult> results = new ArrayList<>();
        for (CompareEngine engine : engines) {
            String cause = engine.unavailabilityCause();
            if (cause != null) {
                notes.println("compare: " + engine.name() + " left out: " + cause);
                continue;
            }
            RoundTrip warmUp = roundTrip(engine, pair);
            RoundTrip measured = roundTrip(engine, pair);
            String problem = warmUp.problem != null ? "warm-up: " + warmUp.problem : measured.problem;
            if (problem != null) {
                notes.println("compare: " + engine.name() + " not verified: " + problem);
            }
            double raw = pair.rawBytes();
            results.add(new CompareResult(engine.name(), measured.stored, raw == 0 ? 0 : 1 - measured.stored / raw,
                    mbPerSecond(raw, measured.encodeNanos), mbPerSecond(raw, measured.decodeNanos), problem == null,
                    problem));
        }
        return new CompareReport(pair.rawBytes(), pair.target().pageCount(), results);
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
