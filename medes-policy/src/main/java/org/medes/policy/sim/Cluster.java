package org.medes.policy.sim;

import java.util.ArrayList;
import java.util.List;

import org.medes.policy.ClusterView;
import org.medes.policy.SandboxState;
import org.medes.policy.WorkloadFunction;

/**
 * The bookkeeping of a simulated cluster: which sandboxes exist where, in which state, holding how
 * much memory, and the memory gauges integrated over time. It enforces the memory caps; what
 * happens to sandboxes is {@link ClusterSimulation}'s. Not thread-safe.
 */
final class Cluster implements ClusterView {
    private final WorkloadFunction[] functions;
    private final double nodeCapacityMb;
    private final double[] nodeUsedMb;
    private final List<List<Sandbox>> byNode = new ArrayList<>();
    private final List<List<Sandbox>> byFunction = new ArrayList<>();
    private final int[][] counts;
    private final int[] bases;

    private double usedMb;
    private double warmMb;
    private double dedupMb;
    private int warmCount;
    private int dedupCount;
    private double usedIntegral;
    private double warmCountIntegral;
    private double dedupCountIntegral;
    private long integratedUntil;
    private double peakMb;

    Cluster(WorkloadFunction[] functions, int nodes, double nodeCapacityMb) {
        this.functions = functions;
        this.nodeCapacityMb = nodeCapacityMb;
        this.nodeUsedMb = new double[nodes];
        for (int n = 0; n < nodes; n++) {
            byNode.add(new ArrayList<>());
        }
        for (int f = 0; f < functions.length; f++) {
            byFunction.add(new ArrayList<>());
        }
        this.counts = new int[functions.length][SandboxState.values().length];
        this.bases = new int[functions.length];
    }

    // ---------------------------------------------------------------- ClusterView

    @Override
    public int functions() {
        return functions.length;
    }

    @Override
    public WorkloadFunction function(int id) {
        return functions[id];
    }

    @Override
    public int count(int function, SandboxState state) {
        return counts[function][state.ordinal()];
    }

    @Override
    public int bases(int function) {
        return bases[function];
    }

    @Override
    public int nodes() {
        return nodeUsedMb.length;
    }

    @Override
    public double nodeCapacityMb(int node) {
        return nodeCapacityMb;
    }

    @Override
    public double nodeUsedMb(int node) {
        return nodeUsedMb[node];
    }

    @Override
    public double usedMb() {
        return usedMb;
    }

    @Override
    public double capacityMb() {
        return nodeCapacityMb * nodeUsedMb.length;
    }

    // ---------------------------------------------------------------- sandboxes

    double freeMb(int node) {
        return nodeCapacityMb - nodeUsedMb[node];
    }

    List<Sandbox> ofFunction(int f) {
        return byFunction.get(f);
    }

    List<Sandbox> onNode(int node) {
        return byNode.get(node);
    }

    /** A base is pinned while deduplicated sandboxes of its function exist. */
    boolean pinned(Sandbox s) {
        return s.base && counts[s.function][SandboxState.DEDUP.ordinal()] > 0;
    }

    void designateBase(Sandbox s) {
        s.base = true;
        bases[s.function]++;
    }

    void releaseBase(Sandbox s) {
        s.base = false;
        bases[s.function]--;
    }

    /** The idle (or other state) sandbox of a function used last, ties to the oldest; or null. */
    Sandbox mostRecentlyUsed(int f, SandboxState state) {
        Sandbox best = null;
        for (Sandbox s : byFunction.get(f)) {
            if (s.state == state && (best == null || s.lastUsedMs > best.lastUsedMs
                    || (s.lastUsedMs == best.lastUsedMs && s.id < best.id))) {
                best = s;
            }
        }
        return best;
    }

    /** A pre-warmed sandbox still booting with no request attached, or null. */
    Sandbox prewarmStillBooting(int f) {
        for (Sandbox s : byFunction.get(f)) {
            if (s.state == SandboxState.STARTING && s.prewarmed && s.request == null) {
                return s;
            }
        }
        return null;
    }

    /** Adds a new sandbox (its state set) holding {@code mb}; throws if its node cannot hold it. */
    void add(Sandbox s, double mb) {
        List<Sandbox> list = byFunction.get(s.function);
        s.slot = list.size();
        list.add(s);
        byNode.get(s.node).add(s);
        counts[s.function][s.state.ordinal()]++;
        gauge(s.state, +1);
        setMemory(s, mb);
    }

    /** Removes a sandbox and frees its memory. */
    void remove(Sandbox s) {
        setMemory(s, 0);
        List<Sandbox> list = byFunction.get(s.function);
        Sandbox last = list.remove(list.size() - 1);
        if (last != s) {
            list.set(s.slot, last);
            last.slot = s.slot;
        }
        s.slot = -1;
        byNode.get(s.node).remove(s);
        counts[s.function][s.state.ordinal()]--;
        gauge(s.state, -1);
        s.version++;
    }

    void setState(Sandbox s, SandboxState state, long nowMs) {
        counts[s.function][s.state.ordinal()]--;
        gauge(s.state, -1);
        double mem = s.memoryMb;
        setMemory(s, 0); // moves the memory between the warm and dedup gauges
        s.state = state;
        setMemory(s, mem);
        counts[s.function][state.ordinal()]++;
        gauge(state, +1);
        s.stateSinceMs = nowMs;
        s.version++;
    }

    void setMemory(Sandbox s, double mb) {
        double delta = mb - s.memoryMb;
        nodeUsedMb[s.node] += delta;
        if (nodeUsedMb[s.node] > nodeCapacityMb + 1e-6) {
            throw new IllegalStateException("node " + s.node + " would hold " + nodeUsedMb[s.node]
                    + " MB, above its capacity " + nodeCapacityMb + " MB (" + s + ")");
        }
        usedMb += delta;
        if (s.state == SandboxState.DEDUP) {
            dedupMb += delta;
        } else {
            warmMb += delta;
        }
        s.memoryMb = mb;
        peakMb = Math.max(peakMb, usedMb);
    }

    private void gauge(SandboxState state, int delta) {
        if (state == SandboxState.DEDUP) {
            dedupCount += delta;
        } else {
            warmCount += delta;
        }
    }

    // ---------------------------------------------------------------- gauges over time

    /** Accumulates the gauges up to {@code timeMs} (they are constant between events). */
    void integrate(long timeMs) {
        if (timeMs <= integratedUntil) {
            return;
        }
        double dt = timeMs - integratedUntil;
        usedIntegral += usedMb * dt;
        warmCountIntegral += warmCount * dt;
        dedupCountIntegral += dedupCount * dt;
        integratedUntil = timeMs;
    }

    SimulationResult.MemorySample sample(long timeMs) {
        return new SimulationResult.MemorySample(timeMs, usedMb, warmMb, dedupMb, warmCount, dedupCount);
    }

    double meanUsedMb() {
        return usedIntegral / Math.max(1, integratedUntil);
    }

    double meanWarm() {
        return warmCountIntegral / Math.max(1, integratedUntil);
    }

    double meanDedup() {
        return dedupCountIntegral / Math.max(1, integratedUntil);
    }

    double peakMb() {
        return peakMb;
    }
}
