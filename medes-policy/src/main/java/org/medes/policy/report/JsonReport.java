package org.medes.policy.report;

import java.util.Locale;

import org.medes.policy.sim.SideBySide.Comparison;
import org.medes.policy.sim.SimulationResult;

/**
 * The run as JSON, the contract other tools read:
 * {@code {"policies":[{"name":..,"cold_starts":N,"dedup_starts":N,"warm_starts":N,"p50_ms":X,
 * "p99_ms":Y,"p999_ms":Z,"mean_memory_mb":M}],"events_per_second":E}}. Stateless; thread-safe.
 */
public final class JsonReport {
    private JsonReport() {
    }

    public static String format(Comparison c) {
        StringBuilder sb = new StringBuilder("{\"policies\":[");
        for (int i = 0; i < c.results().size(); i++) {
            SimulationResult r = c.results().get(i);
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"name\":").append(string(r.policy()))
                    .append(",\"cold_starts\":").append(r.coldStarts())
                    .append(",\"dedup_starts\":").append(r.dedupStarts())
                    .append(",\"warm_starts\":").append(r.warmStarts())
                    .append(",\"p50_ms\":").append(number(r.p50Ms()))
                    .append(",\"p99_ms\":").append(number(r.p99Ms()))
                    .append(",\"p999_ms\":").append(number(r.p999Ms()))
                    .append(",\"mean_memory_mb\":").append(number(r.meanMemoryMb()))
                    .append('}');
        }
        sb.append("],\"events_per_second\":").append(number(c.eventsPerSecond())).append('}');
        return sb.toString();
    }

    static String number(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("not a finite number: " + v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String string(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
