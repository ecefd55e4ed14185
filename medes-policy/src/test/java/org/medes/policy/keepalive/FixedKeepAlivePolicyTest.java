package org.medes.policy.keepalive;

import org.junit.jupiter.api.Test;
import org.medes.policy.Decision;
import org.medes.policy.Eviction;
import org.medes.policy.testing.FakeCluster;
import org.medes.policy.testing.FakeSandbox;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FixedKeepAlivePolicyTest {

    private final FakeCluster cluster = new FakeCluster();

    @Test
    void keepsTenMinutesAfterLastUseByDefaultThenPurges() {
        var policy = new FixedKeepAlivePolicy();
        var s = FakeSandbox.idle(1, 0, 1_000);
        // 1 000 + 600 000
        assertThat(policy.decide(s, cluster, 1_000)).isEqualTo(Decision.keepUntil(601_000));
        assertThat(policy.decide(s, cluster, 600_999)).isEqualTo(Decision.keepUntil(601_000));
        assertThat(policy.decide(s, cluster, 601_000)).isEqualTo(Decision.purge());
        assertThat(policy.name()).isEqualTo("fixed");
    }

    @Test
    void keepAliveIsConfigurable() {
        var policy = new FixedKeepAlivePolicy(5_000);
        assertThat(policy.decide(FakeSandbox.idle(1, 0, 2_000), cluster, 2_500)).isEqualTo(Decision.keepUntil(7_000));
        assertThat(policy.decide(FakeSandbox.idle(1, 0, 2_000), cluster, 7_000)).isEqualTo(Decision.purge());
        assertThatThrownBy(() -> new FixedKeepAlivePolicy(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void purgesADeduplicatedSandbox() {
        assertThat(new FixedKeepAlivePolicy().decide(FakeSandbox.dedup(1, 0, 0, 10), cluster, 10))
                .isEqualTo(Decision.purge());
    }

    @Test
    void evictsLeastRecentlyUsedLowestIdOnTies() {
        var policy = new FixedKeepAlivePolicy();
        var a = FakeSandbox.idle(2, 0, 300);
        var b = FakeSandbox.idle(3, 0, 100);
        var c = FakeSandbox.idle(1, 1, 100);
        Eviction e = policy.evict(List.of(a, b, c), cluster, 1_000);
        assertThat(e.victim()).isSameAs(c);
        assertThat(e.action()).isEqualTo(Decision.Action.PURGE);
        assertThat(policy.evict(List.of(a, b), cluster, 1_000).victim()).isSameAs(b);
        assertThat(policy.evict(List.of(), cluster, 1_000)).isNull();
    }
}
