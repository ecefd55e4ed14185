/**
 * Policies that use the deduplicated sandbox state: the Medes paper's policy and a predictive
 * variant.
 *
 * <p>{@link org.medes.policy.dedup.MedesTargets} is the paper's §5 sizing, per function f:
 * λ_max = the largest arrival count in a 1-second bucket over the last 10 minutes, per second
 * (1-second buckets keep bursts visible; per-minute averages would hide them); R_W = exec + warm
 * start, R_D = exec + dedup start; integers W, D with W/R_W + D/R_D ≥ λ_max; memory M = W·m_W +
 * D·m_D (m_R, restore memory, is not modelled: 0). The mean startup of the paper,
 * S = (1/N)(W·T/R_W·s_W + D·T/R_D·s_D) with N = W·T/R_W + D·T/R_D requests served in a period T,
 * has T cancel: S = (W/R_W·s_W + D/R_D·s_D) / (W/R_W + D/R_D). Mode 1: least M with S ≤ α·s_W
 * (α = 2.5); mode 2: least S with M ≤ M0_f. For each W from 0 to ⌈λ·R_W⌉ the fewest D serving
 * λ is taken (with s_D ≥ s_W and m_D &gt; 0 more D only costs), so the search is exact for
 * s_D ≥ s_W. Mode 2 without any choice within budget returns the least-memory choice serving λ,
 * marked not feasible. Reuse periods under 1 ms count as 1 ms.
 *
 * <p>{@link org.medes.policy.dedup.MedesPolicy} ({@code medes}; {@code medes-budget} in mode 2,
 * where M0 = half the cluster's capacity, split across functions in proportion to λ_max) recomputes
 * W_f, D_f every tick (1 minute). An idle warm sandbox is deduplicated once it has been idle for
 * the idle period (1 minute) and the function has more than W_f warm sandboxes (idle, busy,
 * starting or restoring, bases included); a deduplicated one is purged once it has been
 * deduplicated for the keep-dedup period and the function has more than D_f; a
 * sandbox kept by a target is asked again a tick later. One minute: a dedup costs 2–3.3 s of CPU
 * (paper), so deduplicating sooner churns on requests that come back within the minute, and one
 * minute is the histogram bin and tick of the other policies. The keep-dedup period defaults to
 * the memory-equivalent of the fixed 10-minute keep-alive: (10 min − idle period) × m_W / m_D,
 * 60 minutes at 85 % savings, so a sandbox's idle life costs the memory-time of a warm sandbox
 * kept 10 minutes but lasts 61 minutes; Medes thus never turns the baseline's warm start into a
 * cold start for a lone sandbox. (Kept 10 minutes instead, Medes on the paper scenario had 1026
 * cold starts rather than 532 at rate scale 1 — fixed keep-alive: 1205 — and 2721 rather than
 * 1992 at scale 4 — fixed: 3975.) Under memory pressure: deduplicate an idle sandbox
 * of a function above W_f (least recently used first, so the last W_f used stay warm), else purge
 * a deduplicated one (functions above D_f first, longest deduplicated first), else deduplicate any
 * idle one. The simulator pins a sandbox as a base instead when the base rule needs one.
 *
 * <p>Tried beyond the paper and removed because it did not win: a policy ({@code medes-adaptive})
 * that combined the hybrid histogram's prediction with the dedup state — pre-warm when the
 * histogram's pre-warm window is &gt; 0, else keep warm until the median idle time, then
 * deduplicate, then purge at 2 × the keep-alive window (never before MedesPolicy's keep-dedup
 * period), with mode-1 W_f / D_f as floors at high load. On the paper scenario it had exactly
 * Medes' cold starts (532 at rate scale 1, 1992 at 4) with 0.6–0.9 % more memory, and on 200
 * synthetic functions 2466 cold starts against Medes' 2435: the histogram adds nothing once
 * deduplicated sandboxes are cheap enough to keep for an hour.
 */
package org.medes.policy.dedup;
