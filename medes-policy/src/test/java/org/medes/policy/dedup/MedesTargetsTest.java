package org.medes.policy.dedup;

import org.junit.jupiter.api.Test;
import org.medes.policy.FunctionProfile;
import org.medes.policy.dedup.MedesTargets.Target;
import org.medes.policy.testing.FakeCluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Hand-worked cases. Profile: m_W = 100 MB, m_D = 40 MB, exec 80 ms, s_W = 20 ms, s_D = 120 ms,
 * so R_W = 100 ms (10 req/s per warm sandbox) and R_D = 200 ms (5 req/s per dedup sandbox).
 * At λ = 100 req/s the fewest D for a given W is 20 - 2W, so
 * M(W) = 100 W + 40 (20 - 2W) = 800 + 20 W and S(W) = (10W·20 + (100 - 10W)·120) / 100 = 120 - 10 W.
 */
class MedesTargetsTest {

    private final FunctionProfile p = FakeCluster.profile("f");

    private static void check(Target t, int w, int d, double m, double s, boolean feasible) {
        assertThat(t.warm()).as("W").isEqualTo(w);
        assertThat(t.dedup()).as("D").isEqualTo(d);
        assertThat(t.memoryMb()).as("M").isCloseTo(m, within(1e-6));
        assertThat(t.meanStartMs()).as("S").isCloseTo(s, within(1e-6));
        assertThat(t.feasible()).as("feasible").isEqualTo(feasible);
    }

    @Test
    void modeOneTakesTheFewestWarmSandboxesThatMeetTheLatencyBound() {
        // α = 2.6: S <= 52 needs W >= 6.8, so W = 7, D = 6, M = 940, S = 50
        check(MedesTargets.minimiseMemory(100, p, 2.6), 7, 6, 940, 50, true);
        // α = 4: S <= 80 needs W >= 4 (S = 80 exactly is allowed), D = 12, M = 880
        check(MedesTargets.minimiseMemory(100, p, 4), 4, 12, 880, 80, true);
        // α = 1: only S = s_W = 20 qualifies: all warm
        check(MedesTargets.minimiseMemory(100, p, 1), 10, 0, 1_000, 20, true);
        // α large: the bound never binds, all dedup is cheapest: M = 800, S = 120
        check(MedesTargets.minimiseMemory(100, p, 1e6), 0, 20, 800, 120, true);
    }

    @Test
    void modeOneKeepsAllWarmWhenDedupSavesTooLittle() {
        // m_D = 60: M(W) = 100 W + 60 (20 - 2W) = 1200 - 20 W, least at W = 10
        var weak = new FunctionProfile("f", 100, 80, 1_000, 20, 120, 0.4);
        check(MedesTargets.minimiseMemory(100, weak, 1e6), 10, 0, 1_000, 20, true);
    }

    @Test
    void roundsPartialSandboxesUp() {
        // λ = 23: W ≤ ⌈2.3⌉ = 3; fewest D: W=0 ⌈4.6⌉ = 5 (M 200), W=1 ⌈2.6⌉ = 3 (220), W=2 ⌈0.6⌉ = 1 (240), W=3 0 (300)
        check(MedesTargets.minimiseMemory(23, p, 1e6), 0, 5, 200, 120, true);
        // α = 2.5 (S <= 50): W=1, D=3: S = (10·20 + 15·120) / 25 = 80; W=2, D=1: (20·20 + 5·120) / 25 = 40 -> M 240
        check(MedesTargets.minimiseMemory(23, p, 2.5), 2, 1, 240, 40, true);
        check(MedesTargets.minimiseMemory(0, p, 2.5), 0, 0, 0, 0, true);
    }

    @Test
    void modeTwoTakesTheLowestLatencyWithinTheBudget() {
        // M0 = 900: W <= 5, so W = 5, D = 10, S = 70
        check(MedesTargets.minimiseStartup(100, p, 900), 5, 10, 900, 70, true);
        // M0 = 919: W = 6 needs 920
        check(MedesTargets.minimiseStartup(100, p, 919), 5, 10, 900, 70, true);
        // M0 = 2000: all warm
        check(MedesTargets.minimiseStartup(100, p, 2_000), 10, 0, 1_000, 20, true);
    }

    @Test
    void modeTwoWithAnInfeasibleBudgetReturnsTheSmallestFootprintMarked() {
        // the smallest footprint serving 100 req/s is W = 0, D = 20, 800 MB > 799
        check(MedesTargets.minimiseStartup(100, p, 799), 0, 20, 800, 120, false);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> MedesTargets.minimiseMemory(-1, p, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MedesTargets.minimiseMemory(1, p, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MedesTargets.minimiseStartup(1, p, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
