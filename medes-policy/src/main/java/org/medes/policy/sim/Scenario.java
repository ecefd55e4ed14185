package org.medes.policy.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import org.medes.policy.Policy;
import org.medes.policy.WorkloadFunction;
import org.medes.policy.trace.Trace;

/**
 * A cluster, its functions and the trace that drives them: everything but the policies.
 *
 * @param name           short name used in reports
 * @param description    one line on where the arrivals and profiles come from
 * @param nodes          worker nodes
 * @param nodeCapacityMb memory per node for sandboxes, MB
 * @param functions      the functions, indexed like the trace's
 * @param trace          opens the trace (called once per run)
 */
public record Scenario(String name, String description, int nodes, double nodeCapacityMb,
                       List<WorkloadFunction> functions, Supplier<Trace> trace) {

    public Scenario {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(trace, "trace");
        functions = List.copyOf(functions);
        if (nodes < 1 || !(nodeCapacityMb > 0) || functions.isEmpty()) {
            throw new IllegalArgumentException("scenario " + name + " needs nodes, capacity and functions");
        }
    }

    /** The same scenario on another cluster. */
    public Scenario withCluster(int nodes, double nodeCapacityMb) {
        return new Scenario(name, description, nodes, nodeCapacityMb, functions, trace);
    }

    /** Runs every policy over one pass of the trace. */
    public SideBySide.Comparison run(List<Policy> policies, SideBySide.Progress progress) {
        List<ClusterSimulation> sims = new ArrayList<>();
        for (Policy p : policies) {
            sims.add(ClusterSimulation.builder().policy(p).functions(functions).nodes(nodes)
                    .nodeCapacityMb(nodeCapacityMb).build());
        }
        try (Trace t = trace.get()) {
            if (t.functions().size() != functions.size()) {
                throw new IllegalStateException("scenario " + name + ": the trace has " + t.functions().size()
                        + " functions, the scenario " + functions.size());
            }
            return SideBySide.run(t, sims, progress);
        }
    }
}
