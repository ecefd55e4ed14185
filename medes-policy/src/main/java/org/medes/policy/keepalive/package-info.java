/**
 * Keep-alive policies without deduplication, the baselines Medes is compared with.
 *
 * <p>{@link org.medes.policy.keepalive.FixedKeepAlivePolicy} ({@code fixed}): an idle sandbox is
 * kept warm for K (default 10 minutes, the Medes paper's fixed baseline) after its last use, then
 * purged; under pressure the least recently used candidate is purged.
 *
 * <p>{@link org.medes.policy.keepalive.HybridHistogramPolicy} ({@code adaptive}) follows Shahrad
 * et al., "Serverless in the Wild", USENIX ATC'20, §4. Per application,
 * {@link org.medes.policy.keepalive.IdleTimePredictor} keeps a histogram of idle times (end of an
 * invocation to the next arrival of the application) in 1-minute bins up to 4 hours; longer idle
 * times are out of bounds (OOB). The first arrival after an end records one sample; further
 * arrivals before the next end record none (the application was busy). Windows, measured from
 * the end of the last invocation:
 * <ul>
 *   <li>pre-warm = lower edge of the bin holding the 5th percentile, lowered by 10 %; keep-alive =
 *       upper edge of the bin holding the 99th percentile, raised by 10 % (the paper's head / tail
 *       and margins; the bin edges as in the dslab reproduction, {@code osukhoroslov/dslab},
 *       {@code hybrid_histogram.rs});</li>
 *   <li>the histogram is used only if the coefficient of variation of its 240 bin counts
 *       (population standard deviation over mean) is at least 2 — a concentrated histogram has a
 *       high CV, a flat one a low CV. Threshold 2 is the one of the dslab and OpenDC reproductions
 *       ({@code isRepresentative(2.0)}); the paper's artifact names it {@code cv_threshold};</li>
 *   <li>and only with at least 10 in-range samples (our addition: with one sample the CV is
 *       √239 and would call it representative);</li>
 *   <li>more than 50 % OOB idle times (dslab's {@code oob_thr} default): the paper forecasts the
 *       next idle time with ARIMA; we do not, and fall back like the other cases;</li>
 *   <li>fallback: no pre-warm, keep-alive 10 minutes (configurable; the paper's fallback keeps the
 *       image for the histogram range, 4 hours — set {@code fallbackKeepAliveMs} to 4 h for it).</li>
 * </ul>
 * After an invocation: if pre-warm &gt; 0 the sandbox is unloaded and a fresh one pre-warmed at
 * end + pre-warm ({@link org.medes.policy.Decision#prewarmAt}); otherwise it is kept until end +
 * keep-alive. A pre-warmed sandbox that has served nothing is kept for keep-alive − pre-warm after
 * it became ready (the paper counts the keep-alive window from when the image is loaded; this is
 * end + keep-alive when the pre-warm is ready on time). Under pressure: least recently used first.
 *
 * <p>{@link org.medes.policy.keepalive.GreedyDualPolicy} ({@code faascache}) follows Fuerst and
 * Sharma, "FaasCache", ASPLOS'21, and the authors' simulator ({@code aFuerst/faascache-sim},
 * {@code LambdaScheduler.calc_priority}): sandboxes stay warm until memory runs short; then the
 * candidate with the lowest priority = clock + frequency × cost / size is purged, and the clock
 * becomes that priority. Each sandbox carries the clock value of its last use; cost = cold start −
 * warm start (the paper's initialisation overhead, ms), size = memory (MB), frequency = the
 * function's arrivals minus the invocations of its evicted sandboxes (in the authors' code the
 * frequency is the sum over the function's live containers).
 */
package org.medes.policy.keepalive;
