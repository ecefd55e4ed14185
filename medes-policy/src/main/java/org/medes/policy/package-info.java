/**
 * medes-policy: when sandboxes stay warm, are deduplicated or are purged, and a simulator that
 * compares policies on a cluster.
 *
 * <p>{@link org.medes.policy.Policy} is the one interface a policy implements (a platform's
 * controller calls it the way the simulator does); {@link org.medes.policy.Policies} is the
 * registry of the built-in ones. {@link org.medes.policy.FunctionProfile} describes a function
 * (memory, execution, cold / warm / dedup start times, dedup savings) and
 * {@link org.medes.policy.FunctionProfiles} ships the paper's ten FunctionBench functions and reads
 * profiles from CSV. Packages: {@code keepalive} (fixed, hybrid histogram, FaasCache greedy-dual),
 * {@code dedup} (the Medes formulation), {@code trace} (Azure Functions 2019 files, synthetic and
 * pattern traces), {@code sim} (the simulator), {@code report} (table, JSON, CSV, charts). This
 * module depends on medes-core only.
 */
package org.medes.policy;
