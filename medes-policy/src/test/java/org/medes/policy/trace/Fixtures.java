package org.medes.policy.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The hand-written fixtures under src/test/resources/trace and helpers to write variants of them. */
final class Fixtures {

    static final String DAY1 = "invocations_per_function_md.anon.d01.csv";
    static final String DAY2 = "invocations_per_function_md.anon.d02.csv";
    static final String DURATIONS = "function_durations_percentiles.anon.d01.csv";
    static final String MEMORY = "app_memory_percentiles.anon.d01.csv";

    private Fixtures() {
    }

    static Path path(String name) {
        URL url = Fixtures.class.getResource("/trace/" + name);
        if (url == null) {
            throw new IllegalStateException("fixture missing: " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The invocation header: HashOwner,HashApp,HashFunction,Trigger,1,...,1440. */
    static String header() {
        StringBuilder b = new StringBuilder("HashOwner,HashApp,HashFunction,Trigger");
        for (int m = 1; m <= 1440; m++) {
            b.append(',').append(m);
        }
        return b.toString();
    }

    /** One invocation row with the given 1-based minute counts, zero elsewhere. */
    static String row(String owner, String app, String function, String trigger, Map<Integer, Integer> counts) {
        StringBuilder b = new StringBuilder(owner).append(',').append(app).append(',').append(function)
                .append(',').append(trigger);
        for (int m = 1; m <= 1440; m++) {
            b.append(',').append(counts.getOrDefault(m, 0));
        }
        return b.toString();
    }

    static Path write(Path dir, String name, List<String> lines) {
        try {
            Path p = dir.resolve(name);
            Files.write(p, lines);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Invocations per (function, absolute minute), counted from a stream. */
    static Map<List<Integer>, Integer> perMinute(List<Invocation> invocations, long offsetMinutes) {
        Map<List<Integer>, Integer> counts = new TreeMap<>((a, b) -> {
            int c = Integer.compare(a.get(0), b.get(0));
            return c != 0 ? c : Integer.compare(a.get(1), b.get(1));
        });
        for (Invocation i : invocations) {
            counts.merge(List.of(i.function(), (int) (i.timeMs() / 60_000 + offsetMinutes)), 1, Integer::sum);
        }
        return counts;
    }

    static List<Invocation> all(Trace trace) {
        try (var s = trace.invocations()) {
            return new ArrayList<>(s.toList());
        }
    }
}
