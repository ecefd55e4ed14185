/**
 * The cluster simulator: {@link org.medes.policy.sim.ClusterSimulation} runs one policy on N nodes
 * with memory caps (discrete events, deterministic), {@link org.medes.policy.sim.SideBySide} feeds
 * one pass of a trace to several simulations at once (Caffeine's simulator is the model), and
 * {@link org.medes.policy.sim.Scenarios} builds the cluster, functions and trace of the paper's
 * setup, of the synthetic Azure-shaped generator, or of Azure trace files.
 *
 * <p>The model, in one place: a request goes to an idle warm sandbox of its function (warm start,
 * most recently used first), else restores a deduplicated one (dedup start; its node must give it
 * back its full memory), else boots a new one on the node with the most free memory (cold start).
 * When a node lacks memory the policy picks sandboxes to deduplicate or purge; if it refuses, the
 * request waits and is retried whenever memory is freed. End-to-end latency is wait + start time +
 * execution time. Deduplicating and purging are instantaneous. Base sandboxes follow the paper's
 * D/B &gt; T rule and are pinned while deduplicated sandboxes depend on them. Memory is integrated
 * exactly between events (mean memory) and sampled every minute (memory over time).
 */
package org.medes.policy.sim;
