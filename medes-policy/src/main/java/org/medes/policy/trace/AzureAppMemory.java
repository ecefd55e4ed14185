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
 * The allocated memory of one day file {@code app_memory_percentiles.anon.dNN.csv}, looked up by
 * application (owner, app): memory is measured per application, not per function.
 *
 * <p>Immutable once read; safe to share between threads.
 */
public final class AzureAppMemory {

    static final List<String> HEADER = List.of("HashOwner", "HashApp", "SampleCount", "AverageAllocatedMb",
            "AverageAllocatedMb_pct1", "AverageAllocatedMb_pct5", "AverageAllocatedMb_pct25",
            "AverageAllocatedMb_pct50", "AverageAllocatedMb_pct75", "AverageAllocatedMb_pct95",
            "AverageAllocatedMb_pct99", "AverageAllocatedMb_pct100");

    private final Map<List<String>, AppMemory> byApp;

    private AzureAppMemory(Map<List<String>, AppMemory> byApp) {
        this.byApp = Collections.unmodifiableMap(byApp);
    }

    /**
     * Reads the whole file; an application listed twice keeps its first row.
     *
     * @throws TraceFormatException a malformed file, naming file, line and column
     * @throws java.io.UncheckedIOException a file that cannot be read, naming it
     */
    public static AzureAppMemory read(Path file) {
        Map<List<String>, AppMemory> map = new LinkedHashMap<>();
        try (CsvLines csv = CsvLines.open(file, HEADER, HEADER)) {
            while (csv.next()) {
                double samples = csv.measure(2, false);
                if (samples != Math.rint(samples)) {
                    throw csv.fault(3, "SampleCount is '" + csv.text(2) + "', expected a whole number");
                }
                AppMemory m = new AppMemory(csv.nonEmpty(0), csv.nonEmpty(1), (long) samples,
                        csv.measure(3, false), csv.measure(4, false), csv.measure(5, false),
                        csv.measure(6, false), csv.measure(7, false), csv.measure(8, false),
                        csv.measure(9, false), csv.measure(10, false), csv.measure(11, false));
                map.putIfAbsent(List.of(m.owner(), m.app()), m);
            }
        }
        return new AzureAppMemory(map);
    }

    /** The row of {@code f}'s application, if the file has one. */
    public Optional<AppMemory> get(TraceFunction f) {
        return Optional.ofNullable(byApp.get(List.of(f.owner(), f.app())));
    }

    /** The average allocated memory of {@code f}'s application, MB, if the file has it. */
    public OptionalDouble averageMb(TraceFunction f) {
        AppMemory m = byApp.get(List.of(f.owner(), f.app()));
        return m == null ? OptionalDouble.empty() : OptionalDouble.of(m.averageMb());
    }

    /** Every row, in file order. */
    public Collection<AppMemory> all() {
        return byApp.values();
    }
}
