package org.medes.policy.report;

import java.util.List;
import java.util.Locale;

import org.medes.policy.sim.SideBySide.Comparison;
import org.medes.policy.sim.SimulationResult;

/** The side-by-side table printed by {@code ./medes simulate}. Stateless; thread-safe. */
public final class ResultTable {
    private static final String[] HEAD = {"policy", "cold", "dedup", "warm", "p50 ms", "p99 ms", "p99.9 ms",
            "mean ms", "mean MB", "peak MB", "warm sb", "dedup sb", "waited"};

    private ResultTable() {
    }

    /** One row per policy, aligned columns. */
    public static String format(Comparison c) {
        List<SimulationResult> rs = c.results();
        String[][] cells = new String[rs.size() + 1][];
        cells[0] = HEAD;
        for (int i = 0; i < rs.size(); i++) {
            SimulationResult r = rs.get(i);
            cells[i + 1] = new String[]{r.policy(), Long.toString(r.coldStarts()), Long.toString(r.dedupStarts()),
                    Long.toString(r.warmStarts()), num(r.p50Ms()), num(r.p99Ms()), num(r.p999Ms()),
                    num(r.meanLatencyMs()), num(r.meanMemoryMb()), num(r.peakMemoryMb()), num(r.meanWarm()),
                    num(r.meanDedup()), Long.toString(r.waited())};
        }
        int[] width = new int[HEAD.length];
        for (String[] row : cells) {
            for (int j = 0; j < row.length; j++) {
                width[j] = Math.max(width[j], row[j].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            for (int j = 0; j < HEAD.length; j++) {
                String v = cells[i][j];
                if (j == 0) {
                    sb.append(v).append(" ".repeat(width[j] - v.length()));
                } else {
                    sb.append("  ").append(" ".repeat(width[j] - v.length())).append(v);
                }
            }
            sb.append('\n');
            if (i == 0) {
                int total = 0;
                for (int w : width) {
                    total += w + 2;
                }
                sb.append("-".repeat(total - 2)).append('\n');
            }
        }
        sb.append(String.format(Locale.ROOT, "%d invocations, %.0f simulated requests/s%n", c.invocations(),
                c.eventsPerSecond()));
        return sb.toString();
    }

    static String num(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
