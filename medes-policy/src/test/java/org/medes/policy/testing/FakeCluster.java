package org.medes.policy.testing;

import org.medes.policy.ClusterView;
import org.medes.policy.FunctionProfile;
import org.medes.policy.SandboxState;
import org.medes.policy.WorkloadFunction;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A cluster whose functions, sandbox counts and node memory a test sets directly. */
public final class FakeCluster implements ClusterView {

    private final List<WorkloadFunction> functions = new ArrayList<>();
    private final Map<Integer, EnumMap<SandboxState, Integer>> counts = new HashMap<>();
    private final Map<Integer, Integer> bases = new HashMap<>();
    private final List<double[]> nodes = new ArrayList<>();

    /** A profile with round numbers: 100 MB (40 MB deduplicated), exec 80, cold 1000, warm 20, dedup 120 ms. */
    public static FunctionProfile profile(String name) {
        return new FunctionProfile(name, 100, 80, 1000, 20, 120, 0.6);
    }

    /** Adds a function of {@code app}; returns its id. */
    public int addFunction(String app, FunctionProfile profile) {
        int id = functions.size();
        functions.add(new WorkloadFunction(id, app, profile));
        return id;
    }

    public FakeCluster addNode(double capacityMb, double usedMb) {
        nodes.add(new double[] {capacityMb, usedMb});
        return this;
    }

    public FakeCluster set(int function, SandboxState state, int n) {
        counts.computeIfAbsent(function, k -> new EnumMap<>(SandboxState.class)).put(state, n);
        return this;
    }

    public FakeCluster setBases(int function, int n) {
        bases.put(function, n);
        return this;
    }

    @Override
    public int functions() {
        return functions.size();
    }

    @Override
    public WorkloadFunction function(int id) {
        return functions.get(id);
    }

    @Override
    public int count(int function, SandboxState state) {
        EnumMap<SandboxState, Integer> m = counts.get(function);
        return m == null ? 0 : m.getOrDefault(state, 0);
    }

    @Override
    public int bases(int function) {
        return bases.getOrDefault(function, 0);
    }

    @Override
    public int nodes() {
        return nodes.size();
    }

    @Override
    public double nodeCapacityMb(int node) {
        return nodes.get(node)[0];
    }

    @Override
    public double nodeUsedMb(int node) {
        return nodes.get(node)[1];
    }

    @Override
    public double usedMb() {
        return nodes.stream().mapToDouble(n -> n[1]).sum();
    }

    @Override
    public double capacityMb() {
        return nodes.stream().mapToDouble(n -> n[0]).sum();
    }
}
