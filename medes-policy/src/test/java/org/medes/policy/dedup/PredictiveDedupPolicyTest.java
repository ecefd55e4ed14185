package org.medes.policy.dedup;

import org.junit.jupiter.api.Test;
import org.medes.policy.Decision;
import org.medes.policy.SandboxState;
import org.medes.policy.testing.FakeCluster;
import org.medes.policy.testing.FakeSandbox;

import static org.assertj.core.api.Assertions.assertThat;

class PredictiveDedupPolicyTest {

    static final long MIN = 60_000;

    private final FakeCluster cluster = new FakeCluster().addNode(10_000, 0);
    private final int f0 = cluster.addFunction("a", FakeCluster.profile("f0"));
    private final PredictiveDedupPolicy policy = PredictiveDedupPolicy.withDefaults();
    private long nextId = 100;

    private long feed(long t, long... idleMs) {
        for (long idle : idleMs) {
            policy.decide(FakeSandbox.idle(nextId++, f0, t), cluster, t);
            policy.onArrival(f0, t + idle);
            t += idle + 100;
        }
        return t;
    }

    @Test
    void warmUntilTheMedianThenDedupUntilTwiceTheKeepAliveThenPurge() {
        // 30 s (bin 0), 5 x 3.5 min (bin 3), 4 x 20.5 min (bin 20): pre-warm 0 (head in bin 0);
        // median in bin 3: warm until 4 min + 10 % = 264 s; tail in bin 20: keep-alive 21 min + 10 % = 1 386 s
        long t = feed(0, 30_000);
        for (int i = 0; i < 5; i++) {
            t = feed(t, 3 * MIN + MIN / 2);
        }
        for (int i = 0; i < 4; i++) {
            t = feed(t, 20 * MIN + MIN / 2);
        }
        long end = t + 5 * MIN; // the last request, more than 10 minutes after the previous peak, ends here
        cluster.set(f0, SandboxState.IDLE, 1);
        var s = FakeSandbox.idle(1, f0, end);
        assertThat(policy.decide(s, cluster, end)).isEqualTo(Decision.keepUntil(end + 264_000));
        assertThat(policy.decide(s, cluster, end + 264_000)).isEqualTo(Decision.dedup());
        var d = FakeSandbox.dedup(1, f0, end, end + 264_000);
        cluster.set(f0, SandboxState.IDLE, 0).set(f0, SandboxState.DEDUP, 1);
        // deduplicated until 2 x 1 386 s after the last use
        assertThat(policy.decide(d, cluster, end + 264_000)).isEqualTo(Decision.keepUntil(end + 2_772_000));
        assertThat(policy.decide(d, cluster, end + 2_772_000)).isEqualTo(Decision.purge());
        assertThat(policy.name()).isEqualTo("medes-adaptive");
    }

    @Test
    void preWarmsLikeTheHistogramPolicyWhenIdleTimesAreLong() {
        // 10 x 10.5 min: pre-warm 10 min - 10 % = 540 s
        long t = 0;
        for (int i = 0; i < 10; i++) {
            t = feed(t, 10 * MIN + MIN / 2);
        }
        cluster.set(f0, SandboxState.IDLE, 1);
        assertThat(policy.decide(FakeSandbox.idle(1, f0, t), cluster, t)).isEqualTo(Decision.prewarmAt(t + 540_000));
        // the pre-warmed sandbox: keep-alive 11 min + 10 % = 726 s, minus 540 s, then deduplicated
        var warm = FakeSandbox.prewarmed(2, f0, t + 540_000);
        assertThat(policy.decide(warm, cluster, t + 540_000)).isEqualTo(Decision.keepUntil(t + 726_000));
        assertThat(policy.decide(warm, cluster, t + 726_000)).isEqualTo(Decision.dedup());
    }

    @Test
    void withoutARepresentativeHistogramFollowsMedesPeriods() {
        cluster.set(f0, SandboxState.IDLE, 1).set(f0, SandboxState.DEDUP, 1);
        var s = FakeSandbox.idle(1, f0, 1_000);
        assertThat(policy.decide(s, cluster, 1_000)).isEqualTo(Decision.keepUntil(61_000));
        assertThat(policy.decide(s, cluster, 61_000)).isEqualTo(Decision.dedup());
        var d = FakeSandbox.dedup(1, f0, 1_000, 61_000);
        assertThat(policy.decide(d, cluster, 61_000)).isEqualTo(Decision.keepUntil(661_000));
        assertThat(policy.decide(d, cluster, 661_000)).isEqualTo(Decision.purge());
    }

    @Test
    void keepsMedesFloorsUnderHighLoad() {
        var p = PredictiveDedupPolicy.newBuilder().alpha(4).build();
        // 30 requests in one second: λ_max · R_W = 30 × 0.1 s = 3 >= 1 busy sandbox, floors W = 2, D = 2
        for (int i = 0; i < 30; i++) {
            p.onArrival(f0, i * 10L);
        }
        p.onTick(cluster, 60_000);
        cluster.set(f0, SandboxState.IDLE, 2).set(f0, SandboxState.DEDUP, 2);
        var s = FakeSandbox.idle(1, f0, 60_000);
        assertThat(p.decide(s, cluster, 120_000)).isEqualTo(Decision.keepUntil(180_000));
        assertThat(p.decide(FakeSandbox.dedup(2, f0, 0, 60_000), cluster, 660_000)).isEqualTo(Decision.keepUntil(720_000));
        cluster.set(f0, SandboxState.IDLE, 3);
        assertThat(p.decide(s, cluster, 120_000)).isEqualTo(Decision.dedup());
        // at low load (a single request: 1 × 0.1 = 0.1 busy sandbox) the floors do not apply
        var q = PredictiveDedupPolicy.withDefaults();
        q.onArrival(f0, 0);
        q.onTick(cluster, 60_000);
        cluster.set(f0, SandboxState.IDLE, 1);
        assertThat(q.decide(s, cluster, 120_000)).isEqualTo(Decision.dedup());
    }
}
