package org.medes.policy.trace;

/**
 * One row of {@code function_durations_percentiles.anon.dNN.csv}: a function's execution times over
 * one day, ms, without cold start. The percentiles are weighted percentiles of 30-second averages,
 * not of single invocations (see the dataset's notes).
 *
 * @param owner     HashOwner
 * @param app       HashApp
 * @param function  HashFunction
 * @param averageMs Average
 * @param count     Count, the executions behind the average (may differ from the invocation counts)
 * @param minimumMs Minimum; NaN where the dataset left it empty
 * @param maximumMs Maximum; NaN where the dataset left it empty
 * @param p0Ms      percentile_Average_0
 * @param p1Ms      percentile_Average_1
 * @param p25Ms     percentile_Average_25
 * @param p50Ms     percentile_Average_50
 * @param p75Ms     percentile_Average_75
 * @param p99Ms     percentile_Average_99
 * @param p100Ms    percentile_Average_100
 */
public record FunctionDuration(String owner, String app, String function, double averageMs, long count,
                               double minimumMs, double maximumMs, double p0Ms, double p1Ms, double p25Ms,
                               double p50Ms, double p75Ms, double p99Ms, double p100Ms) {
}
