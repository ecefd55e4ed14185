package org.medes.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.medes.policy.dedup.MedesPolicy;
import org.medes.policy.keepalive.FixedKeepAlivePolicy;
import org.medes.policy.keepalive.GreedyDualPolicy;
import org.medes.policy.keepalive.HybridHistogramPolicy;

/**
 * The registry of policies by name, each with its defaults: what {@code ./medes simulate
 * --policies} accepts. Thread-safe (immutable).
 */
public final class Policies {
    private static final Map<String, Supplier<Policy>> REGISTRY = new LinkedHashMap<>();

    static {
        REGISTRY.put("fixed", FixedKeepAlivePolicy::new);
        REGISTRY.put("adaptive", HybridHistogramPolicy::new);
        REGISTRY.put("faascache", GreedyDualPolicy::new);
        REGISTRY.put("medes", MedesPolicy::withDefaults);
        REGISTRY.put("medes-budget", () -> MedesPolicy.newBuilder().mode(MedesPolicy.Mode.MIN_STARTUP).build());
    }

    private Policies() {
    }

    /** Every registered name, in report order. */
    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    /** A new instance of the named policy with its defaults. */
    public static Policy create(String name) {
        Supplier<Policy> s = REGISTRY.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown policy '" + name + "'; known: " + String.join(", ", names()));
        }
        Policy p = s.get();
        if (!p.name().equals(name)) {
            throw new IllegalStateException("policy registered as " + name + " calls itself " + p.name());
        }
        return p;
    }
}
