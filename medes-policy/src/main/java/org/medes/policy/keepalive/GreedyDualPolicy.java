package org.medes.policy.keepalive;

import org.medes.policy.ClusterView;
import org.medes.policy.Decision;
import org.medes.policy.Eviction;
import org.medes.policy.FunctionProfile;
import org.medes.policy.Policy;
import org.medes.policy.SandboxView;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * FaasCache's greedy-dual keep-alive (Fuerst and Sharma, ASPLOS'21): every sandbox stays warm
 * until memory runs short; then the one with the lowest priority
 * {@code clock + frequency × cost / size} is purged and the clock becomes its priority.
 *
 * <p>Not thread-safe: one instance per simulation.
 */
public final class GreedyDualPolicy implements Policy {

    private double clock;
    /** Clock value each sandbox was given when last used, by sandbox id. */
    private final Map<Long, Double> clockAtUse = new HashMap<>();
    /** Per function: arrivals minus the invocations of its evicted sandboxes. */
    private long[] frequency = new long[0];

    @Override
    public String name() {
        return "faascache";
    }

    @Override
    public void onArrival(int function, long nowMs) {
        grow(function);
        frequency[function]++;
    }

    @Override
    public Decision decide(SandboxView sandbox, ClusterView cluster, long nowMs) {
        clockAtUse.put(sandbox.id(), clock);
        return Decision.keepForever();
    }

    @Override
    public Eviction evict(List<? extends SandboxView> candidates, ClusterView cluster, long nowMs) {
        SandboxView victim = null;
        double lowest = Double.POSITIVE_INFINITY;
        for (SandboxView s : candidates) {
            double p = priority(s, cluster);
            if (victim == null || p < lowest || (p == lowest && s.id() < victim.id())) {
                victim = s;
                lowest = p;
            }
        }
        if (victim == null) {
            return null;
        }
        clock = lowest;
        clockAtUse.remove(victim.id());
        grow(victim.function());
        frequency[victim.function()] = Math.max(0, frequency[victim.function()] - victim.invocations());
        return Eviction.purge(victim);
    }

    /**
     * {@code clock at last use + frequency × cost / size}, with cost = cold start − warm start
     * (ms) and size = memory (MB).
     */
    double priority(SandboxView s, ClusterView cluster) {
        FunctionProfile p = cluster.function(s.function()).profile();
        double cost = Math.max(0, p.coldStartMs() - p.warmStartMs());
        return clockAtUse.getOrDefault(s.id(), clock) + frequency(s.function()) * cost / p.memoryMb();
    }

    /** The current clock: the priority of the last sandbox evicted. */
    double clock() {
        return clock;
    }

    long frequency(int function) {
        return function < frequency.length ? frequency[function] : 0;
    }

    private void grow(int function) {
        if (function >= frequency.length) {
            frequency = Arrays.copyOf(frequency, Math.max(function + 1, frequency.length * 2));
        }
    }

    @Override
    public String toString() {
        return "GreedyDualPolicy[clock=" + clock + "]";
    }
}
