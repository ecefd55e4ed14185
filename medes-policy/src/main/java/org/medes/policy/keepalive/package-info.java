/**
 * Keep-alive policies without deduplication, the baselines Medes is compared with.
 *
 * <p>{@link org.medes.policy.keepalive.FixedKeepAlivePolicy} ({@code fixed}): an idle sandbox is
 * kept warm for K (default 10 minutes, the Medes paper's fixed baseline) after its last use, then
 * purged; under pressure the least recently used candidate is purged.
 *
 * <p>{@link org.medes.policy.keepalive.HybridHistogramPolicy} ({@code adaptive}) follows Shahrad
 * et al., "Serverless in the Wild", USENIX ATC'20, §4, with the thresholds the paper leaves open
 * taken from public reproductions (named below). Per application,
 * {@link org.medes.policy.keepalive.IdleTimePredictor} keeps a histogram of idle times (end of an
 * invocation to the next arrival of the application) in 1-minute bins up to 4 hours; longer idle
 * times are out of bounds (OOB). The first arrival after an end records one sample; further
 * arrivals before the next end record none (the application was busy). Windows, measured from
 * the end of the last invocation:
 * <ul>
 *   <li>pre-warm = lower edge of the bin holding the 5th percentile, lowered by 10 %; keep-alive =
 *       upper edge of the bin holding the 99th percentile, raised by 10 % (the paper's head / tail
 *       percentiles and margins; bin edges as in the dslab reproduction,
 *       {@code osukhoroslov/dslab}, {@code HybridHistogramPolicy});</li>
 *   <li>the histogram is used only if the coefficient of variation of its 240 bin counts is at
 *       least 2: idle times concentrated in a few bins give a high CV, evenly spread ones a low
 *       CV. Threshold 2 is the default of the dslab ({@code cv_thr}) and OpenDC
 *       ({@code isRepresentative(2.0)}) reproductions; we divide by the bin count (population
 *       deviation), dslab by bins − 1 (0.2 % apart);</li>
 *   <li>and only with at least 10 in-range samples (our addition: with one sample the CV is
 *       √239 and would call it representative);</li>
 *   <li>more than 50 % out-of-bounds idle times (dslab's {@code oob_thr} default): the paper
 *       forecasts the next idle time with ARIMA; we do not, and use the fallback;</li>
 *   <li>fallback: no pre-warm, keep-alive 10 minutes (configurable). The reproductions keep the
 *       image longer when the histogram is not representative — dslab for the histogram range
 *       (4 h), FaasCache's simulator 2 h — set {@code fallbackKeepAliveMs} for that.</li>
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
