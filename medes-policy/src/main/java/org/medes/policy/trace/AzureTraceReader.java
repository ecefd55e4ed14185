package org.medes.policy.trace;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.Spliterator;
import java.util.Spliterators;

/**
 * The Azure Functions 2019 trace ({@code invocations_per_function_md.anon.dNN.csv}, one file per
 * day) as a {@link Trace}: each minute's count spread over that minute, streamed one day at a time.
 *
 * <p>{@link Builder#build()} makes a first pass over the files to fix the selected functions; the
 * second pass, {@link #invocations()}, holds one day's non-zero counts of the selected functions.
 * See the package documentation for the format and the spreading rule.
 *
 * <p>Not thread-safe: one thread streams it.
 */
public final class AzureTraceReader implements Trace {

    /** Minutes in one day file. */
    public static final int MINUTES_PER_DAY = 1440;

    private static final int FIRST_COUNT_COLUMN = 4;
    private static final long MS_PER_MINUTE = 60_000L;
    static final List<String> HEADER = header(false);
    private static final List<String> LABELS = header(true);

    /** How a minute's count is placed inside the minute. */
    public enum Spreading {
        /** Uniformly random millisecond offsets from the seeded generator, sorted. */
        UNIFORM_RANDOM,
        /** Evenly spaced: the j-th of c invocations at offset (2j+1)*60000/(2c) ms, rounded down. */
        EVENLY_SPACED
    }

    private final List<Path> dayFiles;
    private final long fromMinute;
    private final long toMinute;
    private final Spreading spreading;
    private final long seed;
    private final List<TraceFunction> functions;
    private final Map<Key, Integer> index;
    private final long[] totals;
    private boolean streamed;

    private AzureTraceReader(Builder b, List<TraceFunction> functions, Map<Key, Integer> index, long[] totals) {
        this.dayFiles = b.dayFiles;
        this.fromMinute = b.fromMinute;
        this.toMinute = b.toMinute;
        this.spreading = b.spreading;
        this.seed = b.seed;
        this.functions = Collections.unmodifiableList(functions);
        this.index = index;
        this.totals = totals;
    }

    /** A builder over the day files, first day first (the first file is day 0). */
    public static Builder builder(List<Path> dayFiles) {
        return new Builder(dayFiles);
    }

    /** A builder over the day files, first day first (the first file is day 0). */
    public static Builder builder(Path... dayFiles) {
        return new Builder(Arrays.asList(dayFiles));
    }

    @Override
    public List<TraceFunction> functions() {
        return functions;
    }

    /** The window's length: invocation times are ms since the window's first minute. */
    @Override
    public long durationMs() {
        return (toMinute - fromMinute) * MS_PER_MINUTE;
    }

    /** The invocations of function {@code function} inside the window, as the files count them. */
    public long totalInvocations(int function) {
        return totals[function];
    }

    /** All invocations the stream will give, as the files count them. */
    public long totalInvocations() {
        long sum = 0;
        for (long t : totals) {
            sum += t;
        }
        return sum;
    }

    @Override
    public Stream<Invocation> invocations() {
        if (streamed) {
            throw new IllegalStateException("invocations() may be called once per trace");
        }
        streamed = true;
        Iterator<Invocation> it = new Replay();
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE), false);
    }

    private record Key(String owner, String app, String function) {
    }

    /** Second pass: loads one day's counts of the selected functions, then emits minute by minute. */
    private final class Replay implements Iterator<Invocation> {
        private final SplittableRandom random = new SplittableRandom(seed);
        private final int[][] cells = new int[MINUTES_PER_DAY][];
        private final int[] cellSizes = new int[MINUTES_PER_DAY];
        private long[] minuteEvents = new long[64];
        private int minuteSize;
        private int minutePos;
        private long minuteStartMs;
        private int day = (int) (fromMinute / MINUTES_PER_DAY) - 1;
        private long minute = fromMinute - 1;

        @Override
        public boolean hasNext() {
            while (minutePos == minuteSize) {
                if (!advanceMinute()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public Invocation next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            long e = minuteEvents[minutePos++];
            return new Invocation(minuteStartMs + (e >>> 32), (int) e);
        }

        private boolean advanceMinute() {
            minute++;
            if (minute >= toMinute) {
                return false;
            }
            int d = (int) (minute / MINUTES_PER_DAY);
            if (d != day) {
                loadDay(d);
            }
            int m = (int) (minute % MINUTES_PER_DAY);
            fillMinute(cells[m], cellSizes[m]);
            minuteStartMs = (minute - fromMinute) * MS_PER_MINUTE;
            return true;
        }

        private void fillMinute(int[] cell, int size) {
            long total = 0;
            for (int i = 1; i < size; i += 2) {
                total += cell[i];
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("minute " + minute + " holds " + total
                        + " invocations, more than one array can hold");
            }
            if (minuteEvents.length < total) {
                minuteEvents = new long[(int) Math.max(total, Math.min(2L * minuteEvents.length, Integer.MAX_VALUE - 8))];
            }
            int k = 0;
            for (int i = 0; i < size; i += 2) {
                long fn = cell[i];
                int count = cell[i + 1];
                for (int j = 0; j < count; j++) {
                    long offset = spreading == Spreading.UNIFORM_RANDOM
                            ? random.nextInt((int) MS_PER_MINUTE)
                            : (2L * j + 1) * MS_PER_MINUTE / (2L * count);
                    minuteEvents[k++] = offset << 32 | fn;
                }
            }
            Arrays.sort(minuteEvents, 0, k);
            minuteSize = k;
            minutePos = 0;
        }

        private void loadDay(int d) {
            Arrays.fill(cellSizes, 0);
            day = d;
            long dayStart = (long) d * MINUTES_PER_DAY;
            int first = (int) (Math.max(fromMinute, dayStart) - dayStart);
            int last = (int) (Math.min(toMinute, dayStart + MINUTES_PER_DAY) - dayStart);
            try (CsvLines csv = CsvLines.open(dayFiles.get(d), HEADER, LABELS)) {
                while (csv.next()) {
                    Integer fn = index.get(new Key(csv.text(0), csv.text(1), csv.text(2)));
                    if (fn == null) {
                        continue;
                    }
                    for (int m = first; m < last; m++) {
                        int c = csv.count(FIRST_COUNT_COLUMN + m);
                        if (c > 0) {
                            add(m, fn, c);
                        }
                    }
                }
            }
        }

        private void add(int m, int fn, int count) {
            int[] cell = cells[m];
            int size = cellSizes[m];
            if (cell == null || cell.length < size + 2) {
                cell = cell == null ? new int[8] : Arrays.copyOf(cell, cell.length * 2);
                cells[m] = cell;
            }
            cell[size] = fn;
            cell[size + 1] = count;
            cellSizes[m] = size + 2;
        }
    }

    private static List<String> header(boolean labels) {
        List<String> h = new ArrayList<>(FIRST_COUNT_COLUMN + MINUTES_PER_DAY);
        h.addAll(List.of("HashOwner", "HashApp", "HashFunction", "Trigger"));
        for (int m = 1; m <= MINUTES_PER_DAY; m++) {
            h.add(labels ? "minute " + m : Integer.toString(m));
        }
        return List.copyOf(h);
    }

    /**
     * Chooses files, window, selection and spreading; {@link #build()} reads the files once to fix
     * the functions. Each setter may be called once. Not thread-safe.
     */
    public static final class Builder {
        private final List<Path> dayFiles;
        private long fromMinute;
        private long toMinute;
        private boolean windowSet;
        private Spreading spreading = Spreading.UNIFORM_RANDOM;
        private boolean spreadingSet;
        private long seed;
        private boolean seedSet;
        private Predicate<TraceFunction> select = f -> true;
        private boolean selectSet;
        private long minTotal = 0;
        private long maxTotal = Long.MAX_VALUE;
        private boolean totalSet;
        private int limit = Integer.MAX_VALUE;
        private boolean limitSet;

        private Builder(List<Path> dayFiles) {
            Objects.requireNonNull(dayFiles, "dayFiles");
            if (dayFiles.isEmpty()) {
                throw new IllegalArgumentException("at least one day file is needed");
            }
            this.dayFiles = List.copyOf(dayFiles);
            this.toMinute = (long) this.dayFiles.size() * MINUTES_PER_DAY;
        }

        /** Minutes [fromMinute, toMinute) of the trace, day k starting at minute k*1440; default: all days. */
        public Builder window(long fromMinute, long toMinute) {
            once(windowSet, "window");
            long end = (long) dayFiles.size() * MINUTES_PER_DAY;
            if (fromMinute < 0 || toMinute <= fromMinute || toMinute > end) {
                throw new IllegalArgumentException("window [" + fromMinute + ", " + toMinute
                        + ") must be non-empty inside [0, " + end + ") for " + dayFiles.size() + " day file(s)");
            }
            this.fromMinute = fromMinute;
            this.toMinute = toMinute;
            windowSet = true;
            return this;
        }

        /** How counts are spread inside their minute; default {@link Spreading#UNIFORM_RANDOM}. */
        public Builder spreading(Spreading spreading) {
            once(spreadingSet, "spreading");
            this.spreading = Objects.requireNonNull(spreading, "spreading");
            spreadingSet = true;
            return this;
        }

        /** Seed of the random spreading; default 0. */
        public Builder seed(long seed) {
            once(seedSet, "seed");
            this.seed = seed;
            seedSet = true;
            return this;
        }

        /** Keeps only functions the predicate accepts (seen with the trigger of their first row); default all. */
        public Builder select(Predicate<TraceFunction> select) {
            once(selectSet, "select");
            this.select = Objects.requireNonNull(select, "select");
            selectSet = true;
            return this;
        }

        /** Keeps only functions whose invocations inside the window total in [min, max]; default all. */
        public Builder totalInvocationsBetween(long min, long max) {
            once(totalSet, "totalInvocationsBetween");
            if (min < 0 || max < min) {
                throw new IllegalArgumentException("need 0 <= min <= max, got [" + min + ", " + max + "]");
            }
            this.minTotal = min;
            this.maxTotal = max;
            totalSet = true;
            return this;
        }

        /** Keeps at most the first {@code n} functions passing the other filters, in order of first appearance. */
        public Builder limit(int n) {
            once(limitSet, "limit");
            if (n <= 0) {
                throw new IllegalArgumentException("limit must be positive, was " + n);
            }
            this.limit = n;
            limitSet = true;
            return this;
        }

        /**
         * Reads the window's day files once, checking every line, and fixes the functions.
         *
         * @throws TraceFormatException a malformed file, naming file, line and column
         * @throws java.io.UncheckedIOException a file that cannot be read, naming it
         */
        public AzureTraceReader build() {
            Map<Key, Candidate> seen = new LinkedHashMap<>();
            int firstDay = (int) (fromMinute / MINUTES_PER_DAY);
            int lastDay = (int) ((toMinute - 1) / MINUTES_PER_DAY);
            for (int d = firstDay; d <= lastDay; d++) {
                long dayStart = (long) d * MINUTES_PER_DAY;
                int first = (int) (Math.max(fromMinute, dayStart) - dayStart);
                int last = (int) (Math.min(toMinute, dayStart + MINUTES_PER_DAY) - dayStart);
                try (CsvLines csv = CsvLines.open(dayFiles.get(d), HEADER, LABELS)) {
                    while (csv.next()) {
                        Key key = new Key(csv.nonEmpty(0), csv.nonEmpty(1),
                                csv.nonEmpty(2));
                        String trigger = csv.nonEmpty(3);
                        long total = 0;
                        for (int m = 0; m < MINUTES_PER_DAY; m++) {
                            int c = csv.count(FIRST_COUNT_COLUMN + m);
                            if (m >= first && m < last) {
                                total += c;
                            }
                        }
                        Candidate cand = seen.get(key);
                        if (cand == null) {
                            TraceFunction f = new TraceFunction(key.owner(), key.app(), key.function(), trigger);
                            cand = new Candidate(f, select.test(f));
                            seen.put(key, cand);
                        }
                        cand.total += total;
                    }
                }
            }
            List<TraceFunction> functions = new ArrayList<>();
            Map<Key, Integer> index = new HashMap<>();
            List<Long> totals = new ArrayList<>();
            for (Map.Entry<Key, Candidate> e : seen.entrySet()) {
                Candidate c = e.getValue();
                if (functions.size() == limit) {
                    break;
                }
                if (c.selected && c.total >= minTotal && c.total <= maxTotal) {
                    index.put(e.getKey(), functions.size());
                    functions.add(c.function);
                    totals.add(c.total);
                }
            }
            return new AzureTraceReader(this, functions, index,
                    totals.stream().mapToLong(Long::longValue).toArray());
        }

        private static void once(boolean set, String what) {
            if (set) {
                throw new IllegalStateException(what + " was already set");
            }
        }
    }

    private static final class Candidate {
        final TraceFunction function;
        final boolean selected;
        long total;

        Candidate(TraceFunction function, boolean selected) {
            this.function = function;
            this.selected = selected;
        }
    }
}
