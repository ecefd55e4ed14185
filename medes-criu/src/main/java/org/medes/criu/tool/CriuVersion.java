package org.medes.criu.tool;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CRIU release number, {@code major.minor[.sublevel[.extra]]}, as {@code criu --version} prints
 * it; ordered numerically. Immutable.
 */
public record CriuVersion(int major, int minor, int sublevel, int extra) implements Comparable<CriuVersion> {

    /** The oldest CRIU Medes runs: 4.1 restores on kernels &gt;= 6.13 (vDSO layout), 3.x does not. */
    public static final CriuVersion MINIMUM = new CriuVersion(4, 1, 0, 0);

    private static final Pattern VERSION_LINE = Pattern.compile(
            "^\\s*Version:\\s*(\\d{1,6})\\.(\\d{1,6})(?:\\.(\\d{1,6}))?(?:\\.(\\d{1,6}))?(?![.\\d])",
            Pattern.MULTILINE);
    private static final int QUOTE_LIMIT = 200;

    public CriuVersion {
        if (major < 0 || minor < 0 || sublevel < 0 || extra < 0) {
            throw new IllegalArgumentException("negative part in CRIU version "
                    + major + "." + minor + "." + sublevel + "." + extra);
        }
    }

    /**
     * Reads the {@code Version: X.Y[.Z[.W]]} line of {@code criu --version} output; other lines
     * ({@code GitID: ...}, warnings) are ignored.
     *
     * @throws IllegalArgumentException naming the output when it has no such line
     */
    public static CriuVersion parse(String versionOutput) {
        Matcher m = VERSION_LINE.matcher(versionOutput);
        if (!m.find()) {
            throw new IllegalArgumentException("no 'Version: <major>.<minor>' line in criu --version output: "
                    + quote(versionOutput));
        }
        return new CriuVersion(part(m, 1), part(m, 2), part(m, 3), part(m, 4));
    }

    /** True when this release is {@code other} or newer. */
    public boolean isAtLeast(CriuVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(CriuVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) c = Integer.compare(minor, o.minor);
        if (c == 0) c = Integer.compare(sublevel, o.sublevel);
        if (c == 0) c = Integer.compare(extra, o.extra);
        return c;
    }

    /** {@code 4.1}, {@code 4.1.1} or {@code 3.12.1.2}: trailing zero parts are left out. */
    @Override
    public String toString() {
        String s = major + "." + minor;
        if (sublevel != 0 || extra != 0) s += "." + sublevel;
        if (extra != 0) s += "." + extra;
        return s;
    }

    private static int part(Matcher m, int group) {
        String g = m.group(group);
        return g == null ? 0 : Integer.parseInt(g);
    }

    static String quote(String output) {
        String s = output.strip();
        if (s.isEmpty()) return "(nothing)";
        if (s.length() > QUOTE_LIMIT) s = s.substring(0, QUOTE_LIMIT) + "...";
        return "'" + s.replace("\n", "\\n") + "'";
    }
}
