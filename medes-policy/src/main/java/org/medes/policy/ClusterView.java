package org.medes.policy;

/** What a policy may read of the cluster. Valid only during the call it is passed to. */
public interface ClusterView {
    int functions();

    WorkloadFunction function(int id);

    /** Sandboxes of a function in a state (base sandboxes included in IDLE / BUSY). */
    int count(int function, SandboxState state);

    /** Base sandboxes of a function. */
    int bases(int function);

    int nodes();

    double nodeCapacityMb(int node);

    double nodeUsedMb(int node);

    /** Memory held by all sandboxes, MB. */
    double usedMb();

    /** Sum of the nodes' capacities, MB. */
    double capacityMb();
}
