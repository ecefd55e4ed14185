package org.medes.policy.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.medes.policy.FunctionProfiles;
import org.medes.policy.Policies;
import org.medes.policy.Policy;
import org.medes.policy.trace.Invocation;

/** Every registered policy over the paper scenario: invariants, determinism, and who wins what. */
class ScenariosTest {

    static SideBySide.Comparison paper(long seed, int minutes, double scale) {
        List<Policy> ps = new ArrayList<>();
        for (String n : Policies.names()) {
            ps.add(Policies.create(n));
        }
        return Scenarios.paper(seed, scale, Duration.ofMinutes(minutes), FunctionProfiles.paperFunctionBench())
                .run(ps, SideBySide.Progress.NONE);
    }

    static long invocations(long seed, int minutes, double scale) {
        Scenario s = Scenarios.paper(seed, scale, Duration.ofMinutes(minutes), FunctionProfiles.paperFunctionBench());
        try (var t = s.trace().get(); var st = t.invocations()) {
            return st.count();
        }
    }

    @Test
    void everyPolicyServesEveryInvocationOnceWithinTheClusterMemory() {
        SideBySide.Comparison c = paper(7, 30, 4);
        long expected = invocations(7, 30, 4);
        assertThat(c.results()).hasSize(Policies.names().size());
        double cap = Scenarios.PAPER_NODES * Scenarios.PAPER_NODE_MB;
        for (SimulationResult r : c.results()) {
            assertThat(r.invocations()).as(r.policy()).isEqualTo(expected);
            assertThat(r.coldStarts() + r.dedupStarts() + r.warmStarts()).as(r.policy()).isEqualTo(expected);
            assertThat(r.peakMemoryMb()).as(r.policy()).isLessThanOrEqualTo(cap);
            assertThat(r.samples()).hasSize(31); // minutes 0..30
            // the mean memory is the time average of what the samples show
            double sampled = r.samples().stream().mapToDouble(SimulationResult.MemorySample::usedMb).average().orElseThrow();
            assertThat(r.meanMemoryMb()).as(r.policy()).isBetween(sampled * 0.7, sampled * 1.3);
        }
    }

    @Test
    void theSameSeedGivesTheSameRunAndAnotherSeedAnotherOne() {
        SideBySide.Comparison a = paper(3, 20, 1);
        SideBySide.Comparison b = paper(3, 20, 1);
        SideBySide.Comparison c = paper(4, 20, 1);
        for (int i = 0; i < a.results().size(); i++) {
            SimulationResult x = a.results().get(i);
            SimulationResult y = b.results().get(i);
            assertThat(y.coldStarts()).isEqualTo(x.coldStarts());
            assertThat(y.meanMemoryMb()).isEqualTo(x.meanMemoryMb());
            assertThat(y.p99Ms()).isEqualTo(x.p99Ms());
        }
        assertThat(c.invocations()).isNotEqualTo(a.invocations());
    }

    @Test
    void onThePaperScenarioMedesHasFewerColdStartsThanKeepAliveInLessMemoryThanFixed() {
        SideBySide.Comparison c = paper(1, 60, 1);
        SimulationResult fixed = c.result("fixed");
        SimulationResult adaptive = c.result("adaptive");
        SimulationResult medes = c.result("medes");
        assertThat(medes.coldStarts()).isLessThan(fixed.coldStarts()).isLessThan(adaptive.coldStarts());
        assertThat(medes.dedupStarts()).isPositive();
        assertThat(medes.meanMemoryMb()).isLessThan(fixed.meanMemoryMb());
        assertThat(fixed.dedupStarts()).isZero();
        assertThat(c.result("faascache").dedupStarts()).isZero();
    }

    @Test
    void aPatternTraceStreamsInTimeOrderOnce() {
        Scenario s = Scenarios.paper(5, 1, Duration.ofMinutes(10), FunctionProfiles.paperFunctionBench());
        var t = s.trace().get();
        List<Invocation> all = t.invocations().toList();
        assertThat(all).isNotEmpty();
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).timeMs()).isGreaterThanOrEqualTo(all.get(i - 1).timeMs());
        }
        assertThat(all).allSatisfy(inv -> assertThat(inv.timeMs()).isLessThan(600_000));
        assertThatThrownBy(t::invocations).hasMessageContaining("once");
    }

    @Test
    void azureDaysWithTheirCompanionFilesBecomeProfilesAndRun() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of(getClass().getResource("/trace/README.md").toURI()).getParent();
        Scenario s = Scenarios.azure(List.of(dir.resolve("invocations_per_function_md.anon.d01.csv"),
                        dir.resolve("invocations_per_function_md.anon.d02.csv")),
                dir.resolve("function_durations_percentiles.anon.d01.csv"),
                dir.resolve("app_memory_percentiles.anon.d01.csv"), 0, 1, 9, FunctionProfiles.paperFunctionBench(),
                2, 2048);
        var f1 = s.functions().get(0).profile();
        assertThat(s.functions().get(0).app()).isEqualTo("a1");
        assertThat(f1.execMs()).isEqualTo(120.5);       // f1's average duration
        assertThat(f1.memoryMb()).isEqualTo(172.5);     // app a1's average allocated memory
        assertThat(f1.coldStartMs()).isEqualTo(1000 + 25 * 172.5);
        SideBySide.Comparison c = s.run(List.of(Policies.create("fixed"), Policies.create("medes")),
                SideBySide.Progress.NONE);
        assertThat(c.invocations()).isPositive();
        assertThat(c.result("fixed").invocations()).isEqualTo(c.invocations());
        assertThat(c.result("medes").invocations()).isEqualTo(c.invocations());
        assertThatThrownBy(() -> s.trace().get()).hasMessageContaining("streams once");
    }

    @Test
    void registryNamesAndUnknownNames() {
        assertThat(Policies.names()).containsExactly("fixed", "adaptive", "faascache", "medes", "medes-budget");
        for (String n : Policies.names()) {
            assertThat(Policies.create(n).name()).isEqualTo(n);
        }
        assertThatThrownBy(() -> Policies.create("lru")).hasMessageContaining("unknown policy 'lru'")
                .hasMessageContaining("fixed");
    }
}
