package org.medes.policy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Function profiles: the paper's ten FunctionBench functions, and profiles read from a CSV file so
 * figures measured on real sandboxes can replace them.
 *
 * <p>File format: a header line {@value #HEADER}, then one function per line; blank lines and
 * lines starting with {@code #} are skipped. Thread-safe (stateless).
 */
public final class FunctionProfiles {
    /** The CSV header, in column order. */
    public static final String HEADER = "name,memory_mb,exec_ms,cold_start_ms,warm_start_ms,dedup_start_ms,dedup_savings";

    /** Warm start assumed for every paper function, ms (request dispatch into a running runtime). */
    public static final double WARM_START_MS = 5;
    /** Dedup start, ms: the paper's measured dedup start at five chunks per fingerprint. */
    public static final double DEDUP_START_MS = 378;
    /**
     * Share of a sandbox saved by deduplication: this project's engine on live Python worker pairs
     * (median 85.9 % in the README's {@code ./medes demo --runs 5}); rounded down.
     */
    public static final double DEDUP_SAVINGS = 0.85;

    private FunctionProfiles() {
    }

    /**
     * The paper's ten FunctionBench functions with its execution times and memory. Cold starts are
     * not in the paper's table: they are modelled as 1 s of runtime boot plus 25 ms per MB of
     * footprint (imports grow with it), so 1.4 s for Vanilla and 3.25 s for RNNModel.
     */
    public static List<FunctionProfile> paperFunctionBench() {
        return List.of(
                paper("Vanilla", 150, 17),
                paper("LinAlg", 250, 32),
                paper("ImagePro", 1200, 26.4),
                paper("VideoPro", 2000, 48),
                paper("MapReduce", 500, 32),
                paper("HTMLServe", 400, 22.3),
                paper("AuthEnc", 400, 22.3),
                paper("FeatureGen", 1000, 66),
                paper("RNNModel", 1000, 90),
                paper("ModelTrain", 3000, 87.5));
    }

    private static FunctionProfile paper(String name, double execMs, double memoryMb) {
        return new FunctionProfile(name, memoryMb, execMs, 1000 + 25 * memoryMb, WARM_START_MS, DEDUP_START_MS,
                DEDUP_SAVINGS);
    }

    /** Reads profiles from a CSV file; errors name the file, line and column. */
    public static List<FunctionProfile> read(Path file) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<FunctionProfile> out = new ArrayList<>();
            Set<String> names = new HashSet<>();
            String line;
            int lineNo = 0;
            boolean header = false;
            while ((line = in.readLine()) != null) {
                lineNo++;
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                if (!header) {
                    if (!t.replace(" ", "").equalsIgnoreCase(HEADER)) {
                        throw new IllegalArgumentException(file + ":" + lineNo + ": expected header '" + HEADER
                                + "', found '" + t + "'");
                    }
                    header = true;
                    continue;
                }
                String[] c = t.split(",", -1);
                if (c.length != 7) {
                    throw new IllegalArgumentException(file + ":" + lineNo + ": expected 7 columns, found " + c.length);
                }
                String name = c[0].strip();
                if (!names.add(name)) {
                    throw new IllegalArgumentException(file + ":" + lineNo + ": function '" + name + "' listed twice");
                }
                try {
                    out.add(new FunctionProfile(name, number(file, lineNo, c, 1), number(file, lineNo, c, 2),
                            number(file, lineNo, c, 3), number(file, lineNo, c, 4), number(file, lineNo, c, 5),
                            number(file, lineNo, c, 6)));
                } catch (IllegalArgumentException e) {
                    if (e.getMessage().startsWith(file.toString())) {
                        throw e;
                    }
                    throw new IllegalArgumentException(file + ":" + lineNo + ": " + e.getMessage(), e);
                }
            }
            if (!header) {
                throw new IllegalArgumentException(file + ": empty; expected header '" + HEADER + "'");
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException(file + ": no functions after the header");
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read function profiles " + file, e);
        }
    }

    /** The profiles as CSV text, readable by {@link #read}. */
    public static String toCsv(List<FunctionProfile> profiles) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (FunctionProfile p : profiles) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%s,%s,%s%n", p.name(), p.memoryMb(), p.execMs(),
                    p.coldStartMs(), p.warmStartMs(), p.dedupStartMs(), p.dedupSavings()));
        }
        return sb.toString();
    }

    private static double number(Path file, int line, String[] cols, int i) {
        String v = cols[i].strip();
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ":" + line + ": column " + (i + 1) + " ("
                    + HEADER.split(",")[i] + ") is not a number: '" + v + "'");
        }
    }
}
