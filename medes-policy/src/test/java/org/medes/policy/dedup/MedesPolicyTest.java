package org.medes.policy.dedup;

import org.junit.jupiter.api.Test;
import org.medes.policy.Decision;
import org.medes.policy.Eviction;
import org.medes.policy.SandboxState;
import org.medes.policy.testing.FakeCluster;
import org.medes.policy.testing.FakeSandbox;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * With the profile of {@link FakeCluster#profile} and α = 4, 30 requests in one second give
 * W = 2, D = 2 (worked in {@link MedesTargetsTest}'s terms: W = 1 leaves 20 req/s for D = 4,
 * S = (10·20 + 20·120) / 30 = 86.7 > 80; W = 2, D = 2: S = 53.3, M = 280; W = 3: M = 300).
 */
class MedesPolicyTest {

    private final FakeCluster cluster = new FakeCluster().addNode(10_000, 0);
    private final int f0 = cluster.addFunction("a", FakeCluster.profile("f0"));
    private final int f1 = cluster.addFunction("b", FakeCluster.profile("f1"));
    private final MedesPolicy policy = MedesPolicy.newBuilder().alpha(4).keepDedupMs(600_000).build();

    private void burst(MedesPolicy p, int f, int n) {
        for (int i = 0; i < n; i++) {
            p.onArrival(f, i * 10L);
        }
    }

    @Test
    void targetsFollowThePeakRateOfTheLastTenMinutes() {
        burst(policy, f0, 30);
        policy.onTick(cluster, 60_000);
        assertThat(policy.target(f0)).isEqualTo(new MedesTargets.Target(2, 2, 280, 1_600.0 / 30, true));
        assertThat(policy.target(f1)).isEqualTo(MedesTargets.Target.NONE);
        // the burst in [0, 1 s) leaves the window at 601 s
        policy.onTick(cluster, 600_999);
        assertThat(policy.target(f0).warm()).isEqualTo(2);
        policy.onTick(cluster, 601_000);
        assertThat(policy.target(f0)).isEqualTo(MedesTargets.Target.NONE);
    }

    @Test
    void deduplicatesAfterTheIdlePeriodOnlyBeyondW() {
        burst(policy, f0, 30);
        policy.onTick(cluster, 60_000);
        var s = FakeSandbox.idle(1, f0, 60_000);
        assertThat(policy.decide(s, cluster, 60_000)).isEqualTo(Decision.keepUntil(120_000));
        cluster.set(f0, SandboxState.IDLE, 2);
        assertThat(policy.decide(s, cluster, 120_000)).isEqualTo(Decision.keepUntil(180_000));
        cluster.set(f0, SandboxState.BUSY, 1);
        assertThat(policy.decide(s, cluster, 120_000)).isEqualTo(Decision.dedup());
        cluster.set(f0, SandboxState.BUSY, 0).set(f0, SandboxState.IDLE, 1).set(f0, SandboxState.STARTING, 2);
        assertThat(policy.decide(s, cluster, 120_000)).isEqualTo(Decision.dedup());
    }

    @Test
    void purgesAfterTheKeepDedupPeriodOnlyBeyondD() {
        burst(policy, f0, 30);
        policy.onTick(cluster, 60_000);
        var s = FakeSandbox.dedup(1, f0, 50_000, 100_000);
        assertThat(policy.decide(s, cluster, 100_000)).isEqualTo(Decision.keepUntil(700_000));
        cluster.set(f0, SandboxState.DEDUP, 2);
        assertThat(policy.decide(s, cluster, 700_000)).isEqualTo(Decision.keepUntil(760_000));
        cluster.set(f0, SandboxState.DEDUP, 3);
        assertThat(policy.decide(s, cluster, 700_000)).isEqualTo(Decision.purge());
    }

    @Test
    void withoutArrivalsEverythingIsDeduplicatedThenPurged() {
        cluster.set(f1, SandboxState.IDLE, 1).set(f1, SandboxState.DEDUP, 1);
        // no tick yet: targets are computed on first use
        assertThat(policy.decide(FakeSandbox.idle(1, f1, 0), cluster, 60_000)).isEqualTo(Decision.dedup());
        assertThat(policy.decide(FakeSandbox.dedup(2, f1, 0, 60_000), cluster, 660_000)).isEqualTo(Decision.purge());
    }

    @Test
    void theDefaultKeepDedupPeriodHoldsTheMemoryTimeOfATenMinuteKeepAlive() {
        MedesPolicy p = MedesPolicy.withDefaults();
        var profile = cluster.function(f1).profile();
        // (600 s - 60 s idle) x m_W / m_D
        long expected = Math.round(540_000 * profile.memoryMb() / profile.dedupMemoryMb());
        assertThat(p.keepDedupMs(profile)).isEqualTo(expected).isGreaterThan(540_000);
        cluster.set(f1, SandboxState.DEDUP, 1);
        var s = FakeSandbox.dedup(2, f1, 0, 60_000);
        assertThat(p.decide(s, cluster, 60_000)).isEqualTo(Decision.keepUntil(60_000 + expected));
        assertThat(p.decide(s, cluster, 60_000 + expected)).isEqualTo(Decision.purge());
    }

    @Test
    void targetsAreComputedBeforeTheFirstTick() {
        burst(policy, f0, 30);
        cluster.set(f0, SandboxState.IDLE, 2);
        assertThat(policy.decide(FakeSandbox.idle(1, f0, 0), cluster, 60_000)).isEqualTo(Decision.keepUntil(120_000));
    }

    @Test
    void underPressureDeduplicatesBeyondWThenPurgesDedupThenDeduplicatesTheRest() {
        burst(policy, f0, 30);
        policy.onTick(cluster, 60_000); // f0: W = 2, D = 2; f1: W = D = 0
        var i1 = FakeSandbox.idle(1, f0, 500);
        var i2 = FakeSandbox.idle(2, f0, 100);
        var i3 = FakeSandbox.idle(3, f1, 50);
        var d1 = FakeSandbox.dedup(4, f0, 0, 300);
        var d2 = FakeSandbox.dedup(5, f1, 0, 400);
        cluster.set(f0, SandboxState.IDLE, 3).set(f1, SandboxState.IDLE, 1)
                .set(f0, SandboxState.DEDUP, 2).set(f1, SandboxState.DEDUP, 1);

        assertThat(policy.evict(List.of(i1, i2, i3, d1, d2), cluster, 1_000)).isEqualTo(Eviction.dedup(i3));
        cluster.set(f1, SandboxState.IDLE, 0);
        // f0 has 3 warm for W = 2: its least recently used goes, the last used stays warm
        assertThat(policy.evict(List.of(i1, i2, d1, d2), cluster, 1_000)).isEqualTo(Eviction.dedup(i2));
        cluster.set(f0, SandboxState.IDLE, 2);
        // no warm beyond W: purge dedup, beyond D first (d2 of f1) although d1 is older
        assertThat(policy.evict(List.of(i1, d1, d2), cluster, 1_000)).isEqualTo(Eviction.purge(d2));
        assertThat(policy.evict(List.of(i1, d1), cluster, 1_000)).isEqualTo(Eviction.purge(d1));
        assertThat(policy.evict(List.of(i1), cluster, 1_000)).isEqualTo(Eviction.dedup(i1));
        assertThat(policy.evict(List.of(), cluster, 1_000)).isNull();
    }

    @Test
    void modeTwoSplitsHalfTheCapacityByPeakRate() {
        var small = new FakeCluster().addNode(720, 0);
        int g0 = small.addFunction("a", FakeCluster.profile("g0"));
        int g1 = small.addFunction("b", FakeCluster.profile("g1"));
        var p = MedesPolicy.newBuilder().mode(MedesPolicy.Mode.MIN_STARTUP).build();
        burst(p, g0, 30);
        burst(p, g1, 10);
        p.onTick(small, 60_000);
        // M0 = 360 MB: g0 gets 270 -> W = 1, D = 4 (260 MB, S 86.7); W = 2, D = 2 needs 280
        assertThat(p.target(g0).warm()).isEqualTo(1);
        assertThat(p.target(g0).dedup()).isEqualTo(4);
        // g1 gets 90 -> W = 1 needs 100, so W = 0, D = 2 (80 MB)
        assertThat(p.target(g1).warm()).isEqualTo(0);
        assertThat(p.target(g1).dedup()).isEqualTo(2);
        assertThat(p.name()).isEqualTo("medes-budget");
    }

    @Test
    void builderFailsFast() {
        assertThat(MedesPolicy.withDefaults().name()).isEqualTo("medes");
        assertThatThrownBy(() -> MedesPolicy.newBuilder().alpha(2).alpha(3)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> MedesPolicy.newBuilder().mode(MedesPolicy.Mode.MIN_STARTUP).alpha(3).build())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> MedesPolicy.newBuilder().memoryShare(0.5).build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> MedesPolicy.newBuilder().alpha(0.9)).isInstanceOf(IllegalArgumentException.class);
    }
}
