package org.medes.policy.trace;

/**
 * One row of {@code app_memory_percentiles.anon.dNN.csv}: an application's allocated (committed)
 * memory over one day, MB. The percentiles are of one-minute averages (see the dataset's notes).
 *
 * @param owner       HashOwner
 * @param app         HashApp
 * @param sampleCount SampleCount
 * @param averageMb   AverageAllocatedMb
 * @param p1Mb        AverageAllocatedMb_pct1
 * @param p5Mb        AverageAllocatedMb_pct5
 * @param p25Mb       AverageAllocatedMb_pct25
 * @param p50Mb       AverageAllocatedMb_pct50
 * @param p75Mb       AverageAllocatedMb_pct75
 * @param p95Mb       AverageAllocatedMb_pct95
 * @param p99Mb       AverageAllocatedMb_pct99
 * @param p100Mb      AverageAllocatedMb_pct100
 */
public record AppMemory(String owner, String app, long sampleCount, double averageMb, double p1Mb,
                        double p5Mb, double p25Mb, double p50Mb, double p75Mb, double p95Mb,
                        double p99Mb, double p100Mb) {
}
