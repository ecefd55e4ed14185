package org.medes.policy.keepalive;

import org.junit.jupiter.api.Test;
import org.medes.policy.Decision;
import org.medes.policy.Eviction;
import org.medes.policy.FunctionProfile;
import org.medes.policy.testing.FakeCluster;
import org.medes.policy.testing.FakeSandbox;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class GreedyDualPolicyTest {

    private final FakeCluster cluster = new FakeCluster();
    // cost / size: A (1 020 - 20) / 100 = 10, B (270 - 20) / 50 = 5 per invocation
    private final int a = cluster.addFunction("a", new FunctionProfile("A", 100, 50, 1_020, 20, 120, 0.5));
    private final int b = cluster.addFunction("b", new FunctionProfile("B", 50, 50, 270, 20, 120, 0.5));
    private final GreedyDualPolicy policy = new GreedyDualPolicy();

    private void arrive(int f, int n) {
        for (int i = 0; i < n; i++) {
            policy.onArrival(f, 0);
        }
    }

    @Test
    void evictsLowestPriorityAndAdvancesTheClock() {
        arrive(a, 3);
        arrive(b, 4);
        var a1 = FakeSandbox.idle(1, a, 10).withInvocations(3);
        var b1 = FakeSandbox.idle(2, b, 20).withInvocations(4);
        assertThat(policy.decide(a1, cluster, 10)).isEqualTo(Decision.keepForever());
        policy.decide(b1, cluster, 20);
        // a1: 0 + 3 x 10 = 30; b1: 0 + 4 x 5 = 20
        assertThat(policy.priority(a1, cluster)).isCloseTo(30, within(1e-9));
        assertThat(policy.priority(b1, cluster)).isCloseTo(20, within(1e-9));
        Eviction e = policy.evict(List.of(a1, b1), cluster, 30);
        assertThat(e.victim()).isSameAs(b1);
        assertThat(e.action()).isEqualTo(Decision.Action.PURGE);
        assertThat(policy.clock()).isCloseTo(20, within(1e-9));
        assertThat(policy.frequency(b)).isZero(); // 4 arrivals - 4 invocations of the evicted sandbox

        // three more B requests on a new sandbox used at clock 20: 20 + 3 x 5 = 35 > a1's 30
        arrive(b, 3);
        var b2 = FakeSandbox.idle(3, b, 40).withInvocations(3);
        policy.decide(b2, cluster, 40);
        assertThat(policy.priority(b2, cluster)).isCloseTo(35, within(1e-9));
        assertThat(policy.evict(List.of(a1, b2), cluster, 50).victim()).isSameAs(a1);
        assertThat(policy.clock()).isCloseTo(30, within(1e-9));

        // one A request on a new sandbox used at clock 30: 30 + 1 x 10 = 40 beats b2's 35 — the clock ages b2
        arrive(a, 1);
        var a2 = FakeSandbox.idle(4, a, 60).withInvocations(1);
        policy.decide(a2, cluster, 60);
        assertThat(policy.priority(a2, cluster)).isCloseTo(40, within(1e-9));
        assertThat(policy.evict(List.of(a2, b2), cluster, 70).victim()).isSameAs(b2);
        assertThat(policy.clock()).isCloseTo(35, within(1e-9));
    }

    @Test
    void keepsEverythingAndRefusesWithoutCandidates() {
        assertThat(policy.decide(FakeSandbox.idle(1, a, 0), cluster, 1_000_000_000L)).isEqualTo(Decision.keepForever());
        assertThat(policy.evict(List.of(), cluster, 0)).isNull();
        assertThat(policy.name()).isEqualTo("faascache");
    }
}
