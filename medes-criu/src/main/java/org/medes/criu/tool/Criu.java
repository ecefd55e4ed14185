package org.medes.criu.tool;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Whether this JVM can checkpoint and restore processes with CRIU: located once by
 * {@link CriuLocator#system()} and proved by {@code criu check}, in the manner of Netty's
 * {@code Epoll.isAvailable()} / {@code unavailabilityCause()}. System property
 * {@value #DISABLED_PROPERTY}{@code =true} switches CRIU off without looking for it. Thread-safe:
 * the probe runs once, when this class is first used.
 */
public final class Criu {
    /** Kill switch: {@code -Dmedes.criu.disabled=true} makes CRIU unavailable. */
    public static final String DISABLED_PROPERTY = "medes.criu.disabled";

    /** What a probe found: exactly one of {@code binary} and {@code cause} is non-null. */
    record Probe(CriuBinary binary, CriuUnavailableException cause, String kdat) {
        Probe {
            if ((binary == null) == (cause == null)) {
                throw new IllegalArgumentException("a probe has a binary or a cause, not both or neither");
            }
        }
    }

    private static final class Holder {
        static final Probe PROBE = probe(System.getProperties(), System.getenv());
    }

    private Criu() {}

    /** True when a CRIU &gt;= 4.1 was found and {@code criu check} passed. */
    public static boolean isAvailable() {
        return Holder.PROBE.binary() != null;
    }

    /**
     * Why CRIU cannot be used (switched off, not found where looked, too old, or {@code criu check}
     * failed with its output), or null when it can.
     */
    public static CriuUnavailableException unavailabilityCause() {
        return Holder.PROBE.cause();
    }

    /**
     * Throws when CRIU cannot be used.
     *
     * @throws CriuUnavailableException with the message of {@link #unavailabilityCause()}, which is
     *     also its cause
     */
    public static void ensureAvailability() {
        CriuUnavailableException cause = Holder.PROBE.cause();
        if (cause != null) {
            CriuUnavailableException e = new CriuUnavailableException("CRIU is unavailable (run scripts/setup.sh as root, or pass -D"
                    + DISABLED_PROPERTY + "=true where it cannot be had): " + cause.getMessage(),
                    cause.rejected());
            e.initCause(cause);
            throw e;
        }
    }

    /**
     * The CRIU to run.
     *
     * @throws CriuUnavailableException as {@link #ensureAvailability()}
     */
    public static CriuBinary binary() {
        ensureAvailability();
        return Holder.PROBE.binary();
    }

    /**
     * What was done about CRIU's kernel-features cache when CRIU was probed ({@code KdatCache}:
     * made, current, or why not), or "" when CRIU is unavailable.
     */
    public static String kdatCache() {
        return Holder.PROBE.kdat();
    }

    /** Honours the kill switch, then locates CRIU and runs {@code criu check}. */
    static Probe probe(Properties properties, Map<String, String> env) {
        Objects.requireNonNull(properties, "properties");
        if (Boolean.parseBoolean(properties.getProperty(DISABLED_PROPERTY))) {
            String line = "switched off by system property " + DISABLED_PROPERTY + "=true";
            return new Probe(null, new CriuUnavailableException("CRIU " + line, List.of(line)), "");
        }
        try {
            CriuBinary binary = new CriuLocator(properties, env).locate();
            binary.check();
            return new Probe(binary, null, KdatCache.ensure(binary));
        } catch (CriuUnavailableException e) {
            return new Probe(null, e, "");
        }
    }
}
