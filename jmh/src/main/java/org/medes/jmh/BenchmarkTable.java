package org.medes.jmh;

import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.util.Statistics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs the benchmarks and prints the README's table: MB/s of page data (10^6 bytes/s) for the
 * per-page, whole-image and fetch benchmarks (a fetch counts its batch's pages), lookups/s for the
 * registry, and p50 / p99 of one batch for {@code FetchBenchmark} run with {@code -bm sample}.
 * {@code scripts/bench.sh table} (any JMH option may follow, e.g. {@code -p corpus=real}).
 */
public final class BenchmarkTable {
    private BenchmarkTable() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        OptionsBuilder ob = new OptionsBuilder();
        if (cli.getIncludes().isEmpty()) {
            ob.include("org.medes.jmh.*");
        }
        Options opts = ob.parent(cli).build();
        Collection<RunResult> results = new Runner(opts).run();
        List<String[]> rows = new ArrayList<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replace("org.medes.jmh.", "");
            Map<String, String> params = new TreeMap<>();
            for (String k : r.getParams().getParamsKeys()) {
                params.put(k, r.getParams().getParam(k));
            }
            Result primary = r.getPrimaryResult();
            String value;
            if (name.startsWith("RegistryLookup")) {
                value = String.format("%.1f M lookups/s ± %.1f", primary.getScore() / 1e6, err(primary) / 1e6);
            } else if (name.startsWith("FetchBenchmark") && r.getParams().getMode() == Mode.SampleTime) {
                Statistics st = primary.getStatistics();
                value = String.format("p50 %.1f us, p99 %.1f us (one batch)",
                        st.getPercentile(50) * toMicros(r), st.getPercentile(99) * toMicros(r));
            } else if (name.startsWith("FetchBenchmark")) {
                int pages = Integer.parseInt(r.getParams().getParam("pages"));
                value = String.format("%.0f MB/s ± %.0f", primary.getScore() * pages * 4096 / 1e6,
                        err(primary) * pages * 4096 / 1e6);
            } else if (r.getSecondaryResults().containsKey("pageBytes")) { // whole images: their own byte count
                Result bytes = r.getSecondaryResults().get("pageBytes");
                value = String.format("%.0f MB/s ± %.0f", bytes.getScore() / 1e6, err(bytes) / 1e6);
            } else {
                value = String.format("%.0f MB/s ± %.0f", primary.getScore() * 4096 / 1e6, err(primary) * 4096 / 1e6);
            }
            rows.add(new String[] {name, params.toString().replaceAll("[{}]", ""), value});
        }
        System.out.println();
        System.out.println("| benchmark | parameters | result (± JMH 99.9 % error) |");
        System.out.println("|---|---|---|");
        for (String[] row : rows) {
            System.out.println("| " + String.join(" | ", row) + " |");
        }
    }

    /** Microseconds per unit of the run's time unit (sample-time results are in that unit). */
    private static double toMicros(RunResult r) {
        return r.getParams().getTimeUnit().toNanos(1) / 1e3;
    }

    private static double err(Result r) {
        double e = r.getScoreError();
        return Double.isNaN(e) ? 0 : e;
    }
}
