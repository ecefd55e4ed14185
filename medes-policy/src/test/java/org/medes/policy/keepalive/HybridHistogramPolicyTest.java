package org.medes.policy.keepalive;

import org.junit.jupiter.api.Test;
import org.medes.policy.Decision;
import org.medes.policy.testing.FakeCluster;
import org.medes.policy.testing.FakeSandbox;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HybridHistogramPolicyTest {

    static final long MIN = 60_000;

    private final FakeCluster cluster = new FakeCluster();
    private final int f0 = cluster.addFunction("app", FakeCluster.profile("f0"));
    private final int f1 = cluster.addFunction("app", FakeCluster.profile("f1"));
    private final int other = cluster.addFunction("other", FakeCluster.profile("g"));
    private final HybridHistogramPolicy policy = new HybridHistogramPolicy();
    private long nextId = 1;

    /** Each idle time: an invocation of {@code ended} ends (decide), then {@code arrives} gets a request. */
    private long feed(int ended, int arrives, long t, long... idleMs) {
        for (long idle : idleMs) {
            policy.decide(FakeSandbox.idle(nextId++, ended, t), cluster, t);
            policy.onArrival(arrives, t + idle);
            t += idle + 100;
        }
        return t;
    }

    @Test
    void fixedTenMinutesUntilTheHistogramIsRepresentative() {
        policy.onTick(cluster, 0);
        long t = feed(f0, f0, 0, 3 * MIN, 3 * MIN);
        var s = FakeSandbox.idle(99, f0, t);
        assertThat(policy.decide(s, cluster, t)).isEqualTo(Decision.keepUntil(t + 600_000));
        assertThat(policy.decide(s, cluster, t + 600_000)).isEqualTo(Decision.purge());
        assertThat(policy.name()).isEqualTo("adaptive");
    }

    @Test
    void preWarmsAndKeepsThePreWarmedSandboxUntilTheKeepAliveWindow() {
        // one 2.5-min, eight 10.5-min and one 30.5-min idle time: pre-warm 108 s, keep-alive 2 046 s
        long t = feed(f0, f0, 0, 5 * MIN / 2);
        for (int i = 0; i < 8; i++) {
            t = feed(f0, f0, t, 10 * MIN + MIN / 2);
        }
        t = feed(f0, f0, t, 30 * MIN + MIN / 2);
        long end = t;
        assertThat(policy.decide(FakeSandbox.idle(50, f0, end), cluster, end))
                .isEqualTo(Decision.prewarmAt(end + 108_000));
        // the pre-warmed sandbox is ready 1 s late; kept for keep-alive - pre-warm = 1 938 s after that
        long ready = end + 109_000;
        var warm = FakeSandbox.prewarmed(51, f0, ready);
        assertThat(policy.decide(warm, cluster, ready)).isEqualTo(Decision.keepUntil(ready + 1_938_000));
        assertThat(policy.decide(warm, cluster, ready + 1_938_000)).isEqualTo(Decision.purge());
        // the same idle sandbox asked again after its pre-warm time is kept until end + keep-alive
        assertThat(policy.decide(FakeSandbox.idle(50, f0, end), cluster, end + 200_000))
                .isEqualTo(Decision.keepUntil(end + 2_046_000));
    }

    @Test
    void keepsWarmWithoutPreWarmWhenIdleTimesStartInTheFirstMinute() {
        long t = 0;
        for (int i = 0; i < 10; i++) {
            t = feed(f0, f0, t, 30_000);
        }
        // all in bin 0: pre-warm 0, keep-alive 1 min + 10 % = 66 s
        assertThat(policy.decide(FakeSandbox.idle(50, f0, t), cluster, t)).isEqualTo(Decision.keepUntil(t + 66_000));
    }

    @Test
    void learnsPerApplicationAcrossItsFunctions() {
        // f0's invocations end, f1's requests arrive: both belong to "app"
        long t = 0;
        for (int i = 0; i < 10; i++) {
            t = feed(f0, f1, t, 30_000);
        }
        assertThat(policy.predictor().histogram("app").samples()).isEqualTo(10);
        assertThat(policy.decide(FakeSandbox.idle(50, f1, t), cluster, t)).isEqualTo(Decision.keepUntil(t + 66_000));
        // another application has learned nothing
        assertThat(policy.decide(FakeSandbox.idle(51, other, t), cluster, t)).isEqualTo(Decision.keepUntil(t + 600_000));
    }

    @Test
    void evictsLeastRecentlyUsed() {
        var a = FakeSandbox.idle(1, f0, 500);
        var b = FakeSandbox.idle(2, other, 200);
        assertThat(policy.evict(List.of(a, b), cluster, 1_000).victim()).isSameAs(b);
        assertThat(policy.evict(List.of(), cluster, 1_000)).isNull();
    }
}
