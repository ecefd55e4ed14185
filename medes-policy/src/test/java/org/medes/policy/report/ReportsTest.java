package org.medes.policy.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medes.policy.ClusterView;
import org.medes.policy.Decision;
import org.medes.policy.Eviction;
import org.medes.policy.FunctionProfile;
import org.medes.policy.Policy;
import org.medes.policy.SandboxView;
import org.medes.policy.WorkloadFunction;
import org.medes.policy.sim.ClusterSimulation;
import org.medes.policy.sim.SideBySide;
import org.medes.policy.sim.SideBySide.Comparison;
import org.medes.policy.trace.Invocation;
import org.medes.policy.trace.Trace;
import org.medes.policy.trace.TraceFunction;

class ReportsTest {
    static Comparison run;

    /** Two policies over the same 4 requests: "keep" keeps forever, "purge" purges at once. */
    @BeforeAll
    static void simulate() {
        List<WorkloadFunction> fns = List.of(new WorkloadFunction(0, "a",
                new FunctionProfile("fn\"x", 50, 100, 1000, 5, 300, 0.8)));
        Trace trace = new Trace() {
            public List<TraceFunction> functions() {
                return List.of(new TraceFunction("o", "a", "fn", "http"));
            }

            public long durationMs() {
                return 600_000;
            }

            public Stream<Invocation> invocations() {
                return Stream.of(new Invocation(0, 0), new Invocation(60_000, 0), new Invocation(120_000, 0),
                        new Invocation(180_000, 0));
            }
        };
        run = SideBySide.run(trace, List.of(sim(fns, fixed("keep", Decision.keepForever())),
                sim(fns, fixed("purge", Decision.purge()))), SideBySide.Progress.NONE);
    }

    @Test
    void jsonHasTheContractFieldsWithTheRunsNumbers() {
        String json = JsonReport.format(run);
        assertThat(json).startsWith("{\"policies\":[{\"name\":\"keep\",\"cold_starts\":1,\"dedup_starts\":0,"
                + "\"warm_starts\":3,\"p50_ms\":");
        assertThat(json).contains("{\"name\":\"purge\",\"cold_starts\":4,\"dedup_starts\":0,\"warm_starts\":0,");
        assertThat(json).contains("\"mean_memory_mb\":50.000}").contains("\"events_per_second\":");
        assertThat(json).endsWith("}");
        assertThat(JsonReport.string("a\"b\\c\n")).isEqualTo("\"a\\\"b\\\\c\\n\"");
    }

    @Test
    void tableHasOneRowPerPolicy() {
        String table = ResultTable.format(run);
        assertThat(table.lines().filter(l -> l.startsWith("keep ") || l.startsWith("purge "))).hasSize(2);
        assertThat(table).contains("4 invocations");
    }

    @Test
    void csvFilesHoldEveryPolicyAndFunction(@TempDir Path dir) throws Exception {
        List<Path> files = CsvReport.write(run, dir);
        assertThat(files).allSatisfy(f -> assertThat(f).exists());
        List<String> summary = Files.readAllLines(dir.resolve("summary.csv"));
        assertThat(summary).hasSize(3);
        assertThat(summary.get(1)).startsWith("keep,4,1,0,3,");
        assertThat(summary.get(2)).startsWith("purge,4,4,0,0,");
        assertThat(Files.readAllLines(dir.resolve("memory.csv"))).hasSize(1 + 2 * 11); // samples at 0..10 min
    }

    @Test
    void chartsArePngFiles(@TempDir Path dir) throws Exception {
        for (Path p : ChartReport.write(run, dir)) {
            byte[] head = Files.readAllBytes(p);
            assertThat(head.length).isGreaterThan(1000);
            assertThat(new String(head, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
        }
    }

    @Test
    void headlineComparesOverallAndPerFunction() {
        Headline h = Headline.of(run.result("keep"), run.result("purge"));
        // purge: 4 x (1000 + 100); keep: 1100 + 3 x 105
        assertThat(h.meanLatencyRatio()).isCloseTo(1100.0 / ((1100 + 315) / 4.0), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(h.coldStartRatio()).isEqualTo(4.0);
        assertThat(h.bestColdFunction()).isEqualTo("-"); // fewer than 10 baseline cold starts
        assertThat(h.describe()).contains("keep vs purge");
    }

    static ClusterSimulation sim(List<WorkloadFunction> fns, Policy p) {
        return ClusterSimulation.builder().policy(p).functions(fns).nodes(1).nodeCapacityMb(100).build();
    }

    static Policy fixed(String name, Decision d) {
        return new Policy() {
            public String name() {
                return name;
            }

            public Decision decide(SandboxView s, ClusterView c, long now) {
                return d;
            }

            public Eviction evict(List<? extends SandboxView> cands, ClusterView c, long now) {
                return Eviction.purge(cands.get(0));
            }
        };
    }
}
