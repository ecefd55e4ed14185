package org.medes.policy.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads one comma-separated file line by line (no quoting, as in the Azure trace), splitting a line
 * into fields in place and naming file, line and column in every error. Not thread-safe.
 */
final class CsvLines implements AutoCloseable {

    private final Path file;
    private final BufferedReader in;
    private long lineNumber;
    private String line;
    private final int[] starts;
    private final int[] ends;
    private final int width;
    private final List<String> labels;

    private CsvLines(Path file, BufferedReader in, List<String> labels) {
        this.file = file;
        this.in = in;
        this.width = labels.size();
        this.labels = labels;
        this.starts = new int[width];
        this.ends = new int[width];
    }

    /**
     * Opens {@code file} and checks its header is exactly {@code header}; {@code labels} name the
     * columns in errors (same length as the header).
     */
    static CsvLines open(Path file, List<String> header, List<String> labels) {
        BufferedReader in;
        try {
            in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot open: " + e, e);
        }
        CsvLines csv = new CsvLines(file, in, labels);
        try {
            csv.checkHeader(header);
        } catch (RuntimeException e) {
            csv.close();
            throw e;
        }
        return csv;
    }

    private void checkHeader(List<String> header) {
        if (!next()) {
            throw new TraceFormatException(file, 0, 0, "empty file, expected the header "
                    + abbreviate(header));
        }
        if (line.startsWith("\uFEFF")) {
            line = line.substring(1);
            split();
        }
        for (int c = 0; c < width; c++) {
            if (!header.get(c).equals(text(c))) {
                throw new TraceFormatException(file, lineNumber, c + 1, "header has '" + text(c)
                        + "' where '" + header.get(c) + "' belongs; expected " + abbreviate(header));
            }
        }
    }

    /** Advances to the next non-empty line and splits it; false at end of file. */
    boolean next() {
        try {
            do {
                line = in.readLine();
                if (line == null) {
                    return false;
                }
                lineNumber++;
                if (line.endsWith("\r")) {
                    line = line.substring(0, line.length() - 1);
                }
            } while (line.isEmpty());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ":" + lineNumber + ": cannot read: " + e, e);
        }
        split();
        return true;
    }

    private void split() {
        int field = 0;
        int start = 0;
        int n = line.length();
        for (int i = 0; i <= n; i++) {
            if (i == n || line.charAt(i) == ',') {
                if (field < width) {
                    starts[field] = start;
                    ends[field] = i;
                }
                field++;
                start = i + 1;
            }
        }
        if (field != width) {
            throw fault(0, "expected " + width + " comma-separated columns, found " + field);
        }
    }

    /** The field at {@code column} (0-based) of the current line. */
    String text(int column) {
        return line.substring(starts[column], ends[column]);
    }

    /** The field at {@code column} (0-based), which must not be empty. */
    String nonEmpty(int column) {
        if (starts[column] == ends[column]) {
            throw fault(column + 1, labels.get(column) + " is empty");
        }
        return text(column);
    }

    /** The field at {@code column} (0-based) as a non-negative int, parsed in place. */
    int count(int column) {
        int s = starts[column];
        int e = ends[column];
        if (s == e) {
            throw fault(column + 1, labels.get(column) + " is empty, expected a count >= 0");
        }
        long v = 0;
        for (int i = s; i < e; i++) {
            char ch = line.charAt(i);
            if (ch < '0' || ch > '9' || v > Integer.MAX_VALUE) {
                throw fault(column + 1, labels.get(column) + " is '" + text(column) + "', expected a count >= 0");
            }
            v = v * 10 + (ch - '0');
        }
        if (v > Integer.MAX_VALUE) {
            throw fault(column + 1, labels.get(column) + " is '" + text(column) + "', too large for a count");
        }
        return (int) v;
    }

    /** The field at {@code column} (0-based) as a finite double >= 0; empty gives NaN if allowed. */
    double measure(int column, boolean emptyIsNaN) {
        String name = labels.get(column);
        if (starts[column] == ends[column]) {
            if (emptyIsNaN) {
                return Double.NaN;
            }
            throw fault(column + 1, name + " is empty, expected a number >= 0");
        }
        String t = text(column);
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw fault(column + 1, name + " is '" + t + "', expected a number >= 0");
        }
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw fault(column + 1, name + " is '" + t + "', expected a finite number >= 0");
        }
        return v;
    }

    /** An error at the current line and {@code column} (1-based; 0 for the whole line). */
    TraceFormatException fault(int column, String reason) {
        return new TraceFormatException(file, lineNumber, column, reason);
    }

    Path file() {
        return file;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot close: " + e, e);
        }
    }

    private static String abbreviate(List<String> header) {
        if (header.size() <= 8) {
            return String.join(",", header);
        }
        return String.join(",", header.subList(0, 6)) + ",...," + header.get(header.size() - 1);
    }

}
