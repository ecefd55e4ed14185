package org.medes.rdma.disni;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Whether DiSNI can run here, and if not, exactly what is missing: the kill switch, DiSNI's
 * classes, {@code --add-exports java.base/sun.nio.ch}, libibverbs, librdmacm, libdisni on
 * {@code java.library.path}, an RDMA device in {@code /sys/class/infiniband}, or libdisni
 * failing to load. Checks only look at files until every file is there; only then is libdisni
 * loaded.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class DisniAvailability {
    /** System property that disables the DiSNI fetcher and server. */
    public static final String DISABLED_PROPERTY = "medes.rdma.disni.disabled";
    static final String DISNI_CLASS = "com.ibm.disni.RdmaActiveEndpointGroup";
    static final List<String> SYSTEM_LIBRARY_DIRS = List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
            "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib");

    private static volatile Throwable systemCause;
    private static volatile boolean systemChecked;

    /** What the checks look at; {@link #current()} reads this machine, tests build their own. */
    record Environment(boolean disabled, boolean disniClassesPresent, boolean sunNioChExported,
                       Path infinibandClass, List<Path> javaLibraryPath, List<Path> systemLibraryDirs) {
    }

    private DisniAvailability() {
    }

    /** Why DiSNI cannot be used in this JVM, or null when it can. */
    public static Throwable unavailabilityCause() {
        if (Boolean.getBoolean(DISABLED_PROPERTY)) {
            return new UnsupportedOperationException("disni disabled by -D" + DISABLED_PROPERTY + "=true");
        }
        if (!systemChecked) {
            synchronized (DisniAvailability.class) {
                if (!systemChecked) {
                    Throwable t = missing(current());
                    if (t == null) {
                        t = load();
                    }
                    systemCause = t;
                    systemChecked = true;
                }
            }
        }
        return systemCause;
    }

    /** Whether {@link #unavailabilityCause()} is null. */
    public static boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    /** This machine and JVM. */
    static Environment current() {
        List<Path> jlp = split(System.getProperty("java.library.path", ""));
        Set<Path> sys = new LinkedHashSet<>(split(System.getenv().getOrDefault("LD_LIBRARY_PATH", "")));
        SYSTEM_LIBRARY_DIRS.forEach(d -> sys.add(Path.of(d)));
        boolean classes;
        try {
            Class.forName(DISNI_CLASS, false, DisniAvailability.class.getClassLoader());
            classes = true;
        } catch (ClassNotFoundException | LinkageError e) {
            classes = false;
        }
        boolean exported = Object.class.getModule().isExported("sun.nio.ch", DisniAvailability.class.getModule());
        return new Environment(Boolean.getBoolean(DISABLED_PROPERTY), classes, exported,
                Path.of("/sys/class/infiniband"), jlp, List.copyOf(sys));
    }

    /**
     * Every missing piece of {@code env} in one exception, or null when nothing is missing. The
     * message lists them in the order a user fixes them.
     */
    static Throwable missing(Environment env) {
        if (env.disabled()) {
            return new UnsupportedOperationException("disni disabled by -D" + DISABLED_PROPERTY + "=true");
        }
        List<String> out = new ArrayList<>();
        if (!env.disniClassesPresent()) {
            out.add("DiSNI's classes (com.ibm.disni:disni:2.1) are not on the class path");
        }
        if (!env.sunNioChExported()) {
            out.add("java.base does not export sun.nio.ch to DiSNI: add --add-exports java.base/sun.nio.ch=ALL-UNNAMED"
                    + " (scripts/jvm-flags)");
        }
        for (String lib : List.of("libibverbs.so.1", "librdmacm.so.1")) {
            if (find(env.systemLibraryDirs(), lib) == null) {
                String pkg = lib.startsWith("libibverbs") ? "libibverbs1 ibverbs-providers" : "librdmacm1";
                out.add(lib + " is missing (looked in " + dirs(env.systemLibraryDirs()) + "), on Debian: apt-get install " + pkg);
            }
        }
        String disni = System.mapLibraryName("disni");
        if (find(env.javaLibraryPath(), disni) == null) {
            out.add(disni + " is not on java.library.path (" + dirs(env.javaLibraryPath())
                    + "): build it from DiSNI 2.1's sources with scripts/disni.sh and pass -Djava.library.path=DIR");
        }
        if (!hasDevice(env.infinibandClass())) {
            out.add("no RDMA device in " + env.infinibandClass()
                    + " (needs an RDMA NIC, or a SoftRoCE device: rdma link add rxe0 type rxe netdev IFACE)");
        }
        return out.isEmpty() ? null : new UnsupportedOperationException("disni unavailable: " + String.join("; ", out));
    }

    private static Throwable load() {
        try {
            System.loadLibrary("disni");
            return null;
        } catch (UnsatisfiedLinkError | SecurityException e) {
            return new UnsupportedOperationException("disni unavailable: libdisni failed to load: " + e.getMessage(), e);
        }
    }

    private static boolean hasDevice(Path infiniband) {
        if (!Files.isDirectory(infiniband)) {
            return false;
        }
        try (Stream<Path> s = Files.list(infiniband)) {
            return s.findAny().isPresent();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static Path find(List<Path> dirs, String file) {
        for (Path d : dirs) {
            Path p = d.resolve(file);
            if (Files.exists(p)) {
                return p;
            }
        }
        return null;
    }

    private static String dirs(List<Path> dirs) {
        return dirs.isEmpty() ? "no directories" : String.join(":", dirs.stream().map(Path::toString).toList());
    }

    private static List<Path> split(String path) {
        List<Path> out = new ArrayList<>();
        for (String s : path.split(java.io.File.pathSeparator)) {
            if (!s.isBlank()) {
                out.add(Path.of(s));
            }
        }
        return out;
    }
}
