package org.medes.criu.checkpoint;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medes.criu.tool.FileTrees;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link StartBenchmark} on real workers and real CRIU, one measured round over RPC, no warm-up round (one
 * engine warm-up rebuild): every start time
 * is there and positive (the benchmark itself checks each restored worker's answer). Fails when CRIU
 * is unavailable unless {@code -Dmedes.criu.disabled=true}.
 */
class StartBenchmarkTest {
    @BeforeAll
    static void criuMustBeAvailableUnlessSwitchedOff() {
        LiveWorkers.requireCriu();
    }

    @Test
    void oneRoundReportsEveryStartTime() throws Exception {
        Path root = FileTrees.createTempOnTmpfs("medes-start-bench-test-");
        try {
            java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
            // the shortest engine warm-up: one rebuild of one more worker's dedup image
            StartBenchmark.Samples s = new StartBenchmark(root, 2, List.of(CriuCheckpointer.Mode.RPC),
                    new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8), 0,
                    java.time.Duration.ofMillis(1)).run(1);
            assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8))
                    .containsPattern("engine warm-up: 1 rebuilds of a \\d+-page dedup image")
                    .contains("run 1 rpc: cold ");
            assertThat(s.all().keySet()).contains("cold start", "dump rpc", "plain restore rpc + answer",
                    "dedup start rpc: rebuild", "dedup start rpc: criu", "dedup start rpc + answer");
            assertThat(s.all().values()).allSatisfy(v -> assertThat(v).hasSize(1).allSatisfy(ms -> assertThat(ms).isPositive()));
            assertThat(s.median("dedup start rpc + answer")).isGreaterThan(s.median("dedup start rpc: rebuild"));
        } finally {
            FileTrees.delete(root);
        }
    }
}
