package org.medes.criu.compare;

import java.util.List;
import java.util.Locale;

/**
 * The result of {@link Compare#run}: the target's raw page bytes and one row per engine that ran.
 *
 * <p>Thread-safety: immutable.
 *
 * @param rawBytes bytes of the target's page data
 * @param pages    the target's pages
 * @param results  one row per engine, in the order they ran
 */
public record CompareReport(long rawBytes, int pages, List<CompareResult> results) {
    public CompareReport {
        results = List.copyOf(results);
    }

    /** True when every engine's round trip was verified. */
    public boolean allVerified() {
        return results.stream().allMatch(CompareResult::verified);
    }

    /**
     * One line: {@code {"raw_bytes":N,"results":[{"engine":"medes","stored_bytes":N,"saved":0.9,
     * "dedup_mb_s":X,"restore_mb_s":Y,"verified":true},...]}} (saved to 4 decimals, MB/s to 1).
     */
    public String toJson() {
        StringBuilder b = new StringBuilder("{\"raw_bytes\":").append(rawBytes).append(",\"results\":[");
        for (int i = 0; i < results.size(); i++) {
            CompareResult r = results.get(i);
            b.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"engine\":\"%s\",\"stored_bytes\":%d,\"saved\":%.4f,\"dedup_mb_s\":%.1f,\"restore_mb_s\":%.1f,"
                            + "\"verified\":%b}", r.engine(), r.storedBytes(), r.saved(), r.dedupMbS(), r.restoreMbS(),
                    r.verified()));
        }
        return b.append("]}").toString();
    }

    /** A table: one line per engine, header first. */
    public String toTable() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "target: %d pages, %d bytes of page data (%.1f MiB)%n", pages, rawBytes,
                rawBytes / 1048576.0));
        b.append(String.format(Locale.ROOT, "%-16s %12s %8s %10s %12s %9s%n", "engine", "stored B", "saved",
                "dedup MB/s", "restore MB/s", "verified"));
        for (CompareResult r : results) {
            b.append(String.format(Locale.ROOT, "%-16s %12d %7.1f%% %10.1f %12.1f %9s%n", r.engine(), r.storedBytes(),
                    100 * r.saved(), r.dedupMbS(), r.restoreMbS(), r.verified()));
        }
        return b.toString();
    }
}
