package org.medes.policy.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;

import org.medes.policy.ClusterView;
import org.medes.policy.Decision;
import org.medes.policy.Eviction;
import org.medes.policy.FunctionProfile;
import org.medes.policy.Policy;
import org.medes.policy.SandboxState;
import org.medes.policy.SandboxView;
import org.medes.policy.WorkloadFunction;
import org.medes.policy.trace.Invocation;

/**
 * A discrete-event simulation of one policy on a cluster: feed it the trace's invocations in time
 * order with {@link #accept}, then {@link #finish}. Deterministic: the same trace and policy give
 * the same result.
 *
 * <p>Model. A request goes to an idle warm sandbox of its function (warm start; the most recently
 * used), else to a deduplicated one (dedup start; it needs its full memory back on its node), else
 * to a new sandbox on the node with the most free memory (cold start; a pre-warmed sandbox still
 * booting is taken first). A node short of memory asks the policy to deduplicate or purge idle
 * sandboxes; if the policy refuses or nothing is left, the request waits and is retried whenever
 * memory is freed. End-to-end latency = wait + start time + execution time. Deduplicating and
 * purging take no time (the paper's dedup runs off the request path).
 *
 * <p>Base sandboxes: when the policy deduplicates a sandbox of a function that has no base, or
 * whose deduplicated sandboxes per base would exceed the threshold T, that sandbox becomes a base
 * instead and stays warm. A base is pinned (never offered to the policy) while deduplicated
 * sandboxes of its function exist; extra bases (more than ceil(D/T)) are released as the count
 * falls; with no deduplicated sandbox left, one base stays designated but is the policy's again
 * ({@code decide} and {@code evict} see it with {@link SandboxView#base()} true, and may keep or
 * purge it, not deduplicate it).
 *
 * <p>Invariants checked as it runs (a violation throws {@link IllegalStateException}): no node
 * ever holds more than its capacity; every request completes exactly once.
 *
 * <p>Not thread-safe.
 */
public final class ClusterSimulation {
    private static final int MAX_RETRIES_PER_PASS = 64;
    private static final long DRAIN_LIMIT_MS = 24L * 3600 * 1000;

    private final Policy policy;
    private final WorkloadFunction[] functions;
    private final int baseThreshold;
    private final long sampleIntervalMs;

    private final Cluster cluster;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();

    private long now;
    private long seq;
    private long nextSandboxId;
    private long nextTickMs;
    private long nextSampleMs;
    private boolean finished;
    private long horizonMs = Long.MAX_VALUE;
    private long inFlight;

    // outcome
    private final LatencyHistogram latencies = new LatencyHistogram();
    private final long[][] starts;
    private final double[] latencySums;
    private long waited;
    private long evictions;
    private final List<SimulationResult.MemorySample> samples = new ArrayList<>();

    private ClusterSimulation(Builder b) {
        this.policy = b.policy;
        this.functions = b.functions.toArray(new WorkloadFunction[0]);
        for (int i = 0; i < functions.length; i++) {
            if (functions[i].id() != i) {
                throw new IllegalArgumentException("function at index " + i + " has id " + functions[i].id()
                        + "; ids must be 0..n-1 in order");
            }
            if (functions[i].profile().memoryMb() > b.nodeCapacityMb) {
                throw new IllegalArgumentException("function " + functions[i].profile().name() + " needs "
                        + functions[i].profile().memoryMb() + " MB, more than a node's " + b.nodeCapacityMb + " MB");
            }
        }
        this.cluster = new Cluster(functions, b.nodes, b.nodeCapacityMb);
        this.baseThreshold = b.baseThreshold;
        this.sampleIntervalMs = b.sampleIntervalMs;
        this.starts = new long[functions.length][StartKind.values().length];
        this.latencySums = new double[functions.length];
        this.nextTickMs = 0;
        this.nextSampleMs = 0;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The policy this simulation runs. */
    public Policy policy() {
        return policy;
    }

    /** The cluster as the policy sees it (for tests and reporters). */
    public ClusterView view() {
        return cluster;
    }

    /** Serves one invocation; invocations must come in non-decreasing time order. */
    public void accept(Invocation invocation) {
        if (finished) {
            throw new IllegalStateException("simulation already finished");
        }
        int f = invocation.function();
        if (f < 0 || f >= functions.length) {
            throw new IllegalArgumentException("invocation at " + invocation.timeMs() + " ms names function " + f
                    + ", the workload has " + functions.length);
        }
        if (invocation.timeMs() < now) {
            throw new IllegalArgumentException("invocation at " + invocation.timeMs() + " ms arrives before "
                    + now + " ms; the trace must be in time order");
        }
        runUntil(invocation.timeMs());
        advance(invocation.timeMs());
        policy.onArrival(f, now);
        inFlight++;
        Request r = new Request(f, now);
        if (!serve(r)) {
            r.waited = true;
            waited++;
            waiting.add(r);
        }
    }

    /**
     * Runs the simulation to {@code endMs} (the trace's length), lets every request in flight
     * finish, and reports. Memory is averaged over [0, endMs].
     */
    public SimulationResult finish(long endMs) {
        if (finished) {
            throw new IllegalStateException("simulation already finished");
        }
        runUntil(Math.max(endMs, now));
        advance(Math.max(endMs, now));
        double meanUsed = cluster.meanUsedMb();
        double meanWarm = cluster.meanWarm();
        double meanDedup = cluster.meanDedup();
        // drain: requests still starting, running or waiting complete; no more ticks or samples
        horizonMs = now;
        long drainLimit = now + DRAIN_LIMIT_MS;
        while (inFlight > 0) {
            Event e = events.poll();
            if (e == null || e.timeMs > drainLimit) {
                throw new IllegalStateException(policy.name() + ": " + waiting.size()
                        + " requests still wait for memory after the trace ended and nothing frees it"
                        + " (the policy refuses to evict)");
            }
            advance(e.timeMs);
            handle(e);
        }
        finished = true;
        List<SimulationResult.FunctionStats> perFunction = new ArrayList<>();
        long cold = 0;
        long dedup = 0;
        long warm = 0;
        for (int f = 0; f < functions.length; f++) {
            long c = starts[f][StartKind.COLD.ordinal()];
            long d = starts[f][StartKind.DEDUP.ordinal()];
            long w = starts[f][StartKind.WARM.ordinal()];
            long n = c + d + w;
            perFunction.add(new SimulationResult.FunctionStats(f, functions[f].profile().name(), n, c, d, w,
                    n == 0 ? 0 : latencySums[f] / n));
            cold += c;
            dedup += d;
            warm += w;
        }
        return new SimulationResult(policy.name(), latencies.count(), cold, dedup, warm,
                latencies.percentileMs(0.50), latencies.percentileMs(0.99), latencies.percentileMs(0.999),
                latencies.meanMs(), meanUsed, cluster.peakMb(), meanWarm, meanDedup, waited, evictions, samples, perFunction);
    }

    // ---------------------------------------------------------------- event loop

    private void runUntil(long timeMs) {
        while (true) {
            if (nextTickMs <= timeMs && (events.isEmpty() || events.peek().timeMs > nextTickMs)) {
                advance(nextTickMs);
                policy.onTick(cluster, now);
                long interval = policy.tickIntervalMs();
                if (interval <= 0) {
                    throw new IllegalStateException(policy.name() + ": tickIntervalMs must be positive, was " + interval);
                }
                nextTickMs += interval;
                continue;
            }
            Event e = events.peek();
            if (e == null || e.timeMs > timeMs) {
                return;
            }
            events.poll();
            advance(e.timeMs);
            handle(e);
        }
    }

    private void handle(Event e) {
        switch (e.kind) {
            case RUN -> {
                Sandbox s = e.sandbox;
                cluster.setState(s, SandboxState.BUSY, now);
            }
            case COMPLETE -> complete(e.sandbox);
            case READY -> ready(e.sandbox);
            case TIMER -> {
                Sandbox s = e.sandbox;
                if (s.slot >= 0 && s.version == e.version && !cluster.pinned(s)
                        && (s.state == SandboxState.IDLE || s.state == SandboxState.DEDUP)) {
                    decide(s);
                }
            }
            case PREWARM -> prewarm(e.function);
        }
    }

    private void advance(long timeMs) {
        if (timeMs < now) {
            throw new IllegalStateException("time went back from " + now + " to " + timeMs);
        }
        while (sampleIntervalMs > 0 && nextSampleMs <= Math.min(timeMs, horizonMs)) {
            cluster.integrate(nextSampleMs);
            samples.add(cluster.sample(nextSampleMs));
            nextSampleMs += sampleIntervalMs;
        }
        if (timeMs <= horizonMs) {
            cluster.integrate(timeMs);
        }
        now = timeMs;
    }

    private void schedule(EventKind kind, long timeMs, Sandbox s, int function) {
        Event e = new Event(kind, timeMs, seq++, s, s == null ? 0 : s.version, function);
        events.add(e);
    }

    // ---------------------------------------------------------------- requests

    /** Starts the request on some sandbox, or returns false when no memory can be found. */
    private boolean serve(Request r) {
        int f = r.function;
        FunctionProfile p = functions[f].profile();
        Sandbox idle = cluster.mostRecentlyUsed(f, SandboxState.IDLE);
        if (idle != null) {
            start(r, idle, StartKind.WARM, p.warmStartMs(), p);
            return true;
        }
        Sandbox booting = cluster.prewarmStillBooting(f);
        if (booting != null) {
            booting.request = r;
            r.kind = StartKind.COLD;
            return true;
        }
        if (cluster.count(f, SandboxState.DEDUP) > 0 && restore(r, p)) {
            return true;
        }
        Sandbox fresh = place(f, false);
        if (fresh == null) {
            return false;
        }
        fresh.request = r;
        r.kind = StartKind.COLD;
        schedule(EventKind.READY, now + Math.round(p.coldStartMs()), fresh, f);
        return true;
    }

    private boolean restore(Request r, FunctionProfile p) {
        List<Sandbox> candidates = new ArrayList<>();
        for (Sandbox s : cluster.ofFunction(r.function)) {
            if (s.state == SandboxState.DEDUP) {
                candidates.add(s);
            }
        }
        candidates.sort(Comparator.comparingDouble((Sandbox s) -> cluster.nodeUsedMb(s.node)).thenComparingLong(s -> s.id));
        double extra = p.memoryMb() - p.dedupMemoryMb();
        for (Sandbox s : candidates) {
            if (s.slot < 0 || s.state != SandboxState.DEDUP) {
                continue; // purged or changed while making room for an earlier candidate
            }
            if (makeRoom(s.node, extra, s)) {
                cluster.setMemory(s, p.memoryMb());
                cluster.setState(s, SandboxState.RESTORING, now);
                start(r, s, StartKind.DEDUP, p.dedupStartMs(), p);
                onDedupCountDecreased(r.function);
                return true;
            }
        }
        return false;
    }

    private void start(Request r, Sandbox s, StartKind kind, double startMs, FunctionProfile p) {
        r.kind = kind;
        s.request = r;
        if (s.state != SandboxState.RESTORING) {
            cluster.setState(s, SandboxState.BUSY, now);
        } else {
            schedule(EventKind.RUN, now + Math.round(startMs), s, s.function);
        }
        schedule(EventKind.COMPLETE, now + Math.round(startMs + p.execMs()), s, s.function);
    }

    private void ready(Sandbox s) {
        Request r = s.request;
        FunctionProfile p = functions[s.function].profile();
        if (r != null) {
            cluster.setState(s, SandboxState.BUSY, now);
            schedule(EventKind.COMPLETE, now + Math.round(p.execMs()), s, s.function);
            return;
        }
        cluster.setState(s, SandboxState.IDLE, now);
        s.lastUsedMs = now;
        becameIdle(s);
    }

    private void complete(Sandbox s) {
        Request r = s.request;
        s.request = null;
        if (r == null || r.done) {
            throw new IllegalStateException("sandbox " + s.id + " completed a request twice or none");
        }
        r.done = true;
        inFlight--;
        double latency = now - r.arrivalMs;
        latencies.record(latency);
        latencySums[r.function] += latency;
        starts[r.function][r.kind.ordinal()]++;
        s.invocations++;
        s.lastUsedMs = now;
        cluster.setState(s, SandboxState.IDLE, now);
        becameIdle(s);
        retryWaiting();
    }

    /** An idle sandbox: a waiting request of its function takes it, else the policy decides. */
    private void becameIdle(Sandbox s) {
        for (var it = waiting.iterator(); it.hasNext(); ) {
            Request w = it.next();
            if (w.function == s.function) {
                it.remove();
                FunctionProfile p = functions[s.function].profile();
                start(w, s, StartKind.WARM, p.warmStartMs(), p);
                return;
            }
        }
        if (!cluster.pinned(s)) {
            decide(s);
        }
    }

    private void retryWaiting() {
        int tries = Math.min(waiting.size(), MAX_RETRIES_PER_PASS);
        for (int i = 0; i < tries && !waiting.isEmpty(); i++) {
            Request r = waiting.poll();
            if (!serve(r)) {
                waiting.addFirst(r);
                return; // memory is still short: keep arrival order
            }
        }
    }

    // ---------------------------------------------------------------- policy decisions

    private void decide(Sandbox s) {
        Decision d = Objects.requireNonNull(policy.decide(s, cluster, now), () -> policy.name() + " decided null for " + s);
        switch (d.action()) {
            case KEEP -> {
                s.version++;
                if (d.atMs() != Long.MAX_VALUE) {
                    schedule(EventKind.TIMER, Math.max(d.atMs(), now + 1), s, s.function);
                }
            }
            case DEDUP -> {
                deduplicate(s, "decide");
                if (s.slot >= 0 && !cluster.pinned(s)) {
                    decide(s);
                }
            }
            case PURGE -> {
                purge(s);
                retryWaiting();
            }
            case PREWARM -> {
                purge(s);
                schedule(EventKind.PREWARM, Math.max(d.atMs(), now), null, s.function);
                retryWaiting();
            }
        }
    }

    /** Deduplicates an idle warm sandbox, or makes it a base when its function needs one. */
    private void deduplicate(Sandbox s, String why) {
        if (s.state != SandboxState.IDLE) {
            throw new IllegalStateException(policy.name() + " (" + why + "): only an idle warm sandbox can be"
                    + " deduplicated, " + s + " is " + s.state);
        }
        if (s.base) {
            throw new IllegalStateException(policy.name() + " (" + why + "): " + s
                    + " is a base sandbox; it can be kept or purged, not deduplicated");
        }
        int f = s.function;
        int dedup = cluster.count(f, SandboxState.DEDUP);
        if (cluster.bases(f) == 0 || (long) dedup + 1 > (long) baseThreshold * cluster.bases(f)) {
            cluster.designateBase(s);
            s.version++;
            return;
        }
        cluster.setMemory(s, functions[f].profile().dedupMemoryMb());
        cluster.setState(s, SandboxState.DEDUP, now);
    }

    private void prewarm(int f) {
        if (cluster.count(f, SandboxState.IDLE) > 0 || cluster.prewarmStillBooting(f) != null) {
            return;
        }
        Sandbox s = place(f, true);
        if (s != null) {
            schedule(EventKind.READY, now + Math.round(functions[f].profile().coldStartMs()), s, f);
        }
    }

    // ---------------------------------------------------------------- memory

    /** A new STARTING sandbox on the node with the most free memory, evicting if needed; or null. */
    private Sandbox place(int f, boolean prewarmed) {
        double need = functions[f].profile().memoryMb();
        Integer[] order = new Integer[cluster.nodes()];
        for (int n = 0; n < order.length; n++) {
            order[n] = n;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer n) -> cluster.nodeUsedMb(n)).thenComparingInt(n -> n));
        for (Integer n : order) {
            if (cluster.freeMb(n) >= need || makeRoom(n, need, null)) {
                Sandbox s = new Sandbox(nextSandboxId++, f, n, prewarmed, now);
                s.state = SandboxState.STARTING;
                cluster.add(s, need);
                return s;
            }
        }
        return null;
    }

    /** Asks the policy to free memory on a node until {@code needMb} is free; false if it cannot. */
    private boolean makeRoom(int node, double needMb, Sandbox keep) {
        while (cluster.freeMb(node) < needMb) {
            List<Sandbox> candidates = new ArrayList<>();
            for (Sandbox s : cluster.onNode(node)) {
                if (s != keep && !cluster.pinned(s) && (s.state == SandboxState.IDLE || s.state == SandboxState.DEDUP)) {
                    candidates.add(s);
                }
            }
            if (candidates.isEmpty()) {
                return false;
            }
            Eviction ev = policy.evict(candidates, cluster, now);
            if (ev == null) {
                return false;
            }
            Sandbox victim = candidates.stream().filter(c -> c == ev.victim()).findFirst().orElseThrow(() ->
                    new IllegalStateException(policy.name() + " chose to evict " + ev.victim()
                            + ", which is not one of the candidates on node " + node));
            evictions++;
            if (ev.action() == Decision.Action.DEDUP) {
                deduplicate(victim, "evict"); // may make it a base instead, which frees nothing
            } else {
                purge(victim);
            }
        }
        return true;
    }

    private void purge(Sandbox s) {
        if (s.state != SandboxState.IDLE && s.state != SandboxState.DEDUP) {
            throw new IllegalStateException(policy.name() + ": cannot purge " + s + " while " + s.state);
        }
        if (cluster.pinned(s)) {
            throw new IllegalStateException(policy.name() + ": cannot purge " + s
                    + " while deduplicated sandboxes use its pages");
        }
        boolean wasDedup = s.state == SandboxState.DEDUP;
        if (s.base) {
            cluster.releaseBase(s);
        }
        cluster.remove(s);
        if (wasDedup) {
            onDedupCountDecreased(s.function);
        }
    }

    /** Releases bases no longer needed; bases that lost their last dependent are the policy's again. */
    private void onDedupCountDecreased(int f) {
        int dedup = cluster.count(f, SandboxState.DEDUP);
        int keep = Math.max(1, (dedup + baseThreshold - 1) / baseThreshold);
        List<Sandbox> released = new ArrayList<>();
        for (Sandbox s : cluster.ofFunction(f)) {
            if (s.base && cluster.bases(f) > keep) {
                cluster.releaseBase(s);
                released.add(s);
            } else if (s.base && dedup == 0) {
                released.add(s);
            }
        }
        for (Sandbox s : released) {
            // an earlier decision in this loop may have deduplicated a released sandbox, pinning the base again
            if (s.slot >= 0 && s.state == SandboxState.IDLE && !cluster.pinned(s)) {
                s.version++;
                decide(s);
            }
        }
    }

    // ---------------------------------------------------------------- types

    private enum EventKind { RUN, COMPLETE, READY, TIMER, PREWARM }

    private record Event(EventKind kind, long timeMs, long seq, Sandbox sandbox, long version, int function)
            implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(timeMs, o.timeMs);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** Settings of a simulation; every one has a default but the policy and the functions. */
    public static final class Builder {
        private Policy policy;
        private List<WorkloadFunction> functions;
        private int nodes = 19;
        private double nodeCapacityMb = 2048;
        private int baseThreshold = 40;
        private long sampleIntervalMs = 60_000;

        private Builder() {
        }

        public Builder policy(Policy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public Builder functions(List<WorkloadFunction> functions) {
            this.functions = List.copyOf(functions);
            return this;
        }

        /** Worker nodes (default 19, the paper's cluster). */
        public Builder nodes(int nodes) {
            if (nodes < 1) {
                throw new IllegalArgumentException("nodes must be >= 1, was " + nodes);
            }
            this.nodes = nodes;
            return this;
        }

        /** Memory of each node for sandboxes, MB (default 2048, the paper's cap). */
        public Builder nodeCapacityMb(double mb) {
            if (!(mb > 0)) {
                throw new IllegalArgumentException("node capacity must be positive, was " + mb);
            }
            this.nodeCapacityMb = mb;
            return this;
        }

        /** Deduplicated sandboxes per base before another base is made (default 40, the paper's T). */
        public Builder baseThreshold(int t) {
            if (t < 1) {
                throw new IllegalArgumentException("base threshold must be >= 1, was " + t);
            }
            this.baseThreshold = t;
            return this;
        }

        /** How often memory is sampled for the memory-over-time series, ms (default 60 000; 0: never). */
        public Builder sampleIntervalMs(long ms) {
            if (ms < 0) {
                throw new IllegalArgumentException("sample interval must be >= 0, was " + ms);
            }
            this.sampleIntervalMs = ms;
            return this;
        }

        public ClusterSimulation build() {
            if (policy == null) {
                throw new IllegalStateException("no policy set");
            }
            if (functions == null || functions.isEmpty()) {
                throw new IllegalStateException("no functions set");
            }
            return new ClusterSimulation(this);
        }
    }
}
