package org.medes.policy.trace;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The execution times of one day file {@code function_durations_percentiles.anon.dNN.csv}, looked
 * up by function (owner, app, function).
 *
 * <p>Immutable once read; safe to share between threads.
 */
public final class AzureDurations {

    static final List<String> HEADER = List.of("HashOwner", "HashApp", "HashFunction", "Average", "Count",
            "Minimum", "Maximum", "percentile_Average_0", "percentile_Average_1", "percentile_Average_25",
            "percentile_Average_50", "percentile_Average_75", "percentile_Average_99",
            "percentile_Average_100");

    private final Map<List<String>, FunctionDuration> byFunction;

    private AzureDurations(Map<List<String>, FunctionDuration> byFunction) {
        this.byFunction = Collections.unmodifiableMap(byFunction);
    }

    /**
     * Reads the whole file (one day: some tens of thousands of rows); a function listed twice keeps
     * its first row.
     *
     * @throws TraceFormatException a malformed file, naming file, line and column
     * @throws java.io.UncheckedIOException a file that cannot be read, naming it
     */
    public static AzureDurations read(Path file) {
        Map<List<String>, FunctionDuration> map = new LinkedHashMap<>();
        try (CsvLines csv = CsvLines.open(file, HEADER, HEADER)) {
            while (csv.next()) {
                double count = csv.measure(4, false);
                if (count != Math.rint(count)) {
                    throw csv.fault(5, "Count is '" + csv.text(4) + "', expected a whole number");
                }
                FunctionDuration d = new FunctionDuration(csv.nonEmpty(0), csv.nonEmpty(1), csv.nonEmpty(2),
                        csv.measure(3, false), (long) count, csv.measure(5, true), csv.measure(6, true),
                        csv.measure(7, false), csv.measure(8, false), csv.measure(9, false),
                        csv.measure(10, false), csv.measure(11, false), csv.measure(12, false),
                        csv.measure(13, false));
                map.putIfAbsent(List.of(d.owner(), d.app(), d.function()), d);
            }
        }
        return new AzureDurations(map);
    }

    /** The row of {@code f}, if the file has one. */
    public Optional<FunctionDuration> get(TraceFunction f) {
        return Optional.ofNullable(byFunction.get(List.of(f.owner(), f.app(), f.function())));
    }

    /** The average execution time of {@code f}, ms, if the file has it. */
    public OptionalDouble averageMs(TraceFunction f) {
        FunctionDuration d = byFunction.get(List.of(f.owner(), f.app(), f.function()));
        return d == null ? OptionalDouble.empty() : OptionalDouble.of(d.averageMs());
    }

    /** Every row, in file order. */
    public Collection<FunctionDuration> all() {
        return byFunction.values();
    }
}
