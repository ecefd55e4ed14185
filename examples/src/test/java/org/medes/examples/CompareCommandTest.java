package org.medes.examples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medes.criu.checkpoint.CriuCheckpointer;
import org.medes.criu.checkpoint.FunctionWorker;
import org.medes.criu.tool.Criu;
import org.medes.criu.tool.FileTrees;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code ./medes compare} on two real numpy workers checkpointed with real CRIU (fails without CRIU
 * unless {@code -Dmedes.criu.disabled=true}); option errors without it.
 */
class CompareCommandTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Pattern ROW = Pattern.compile("\\{\"engine\":\"([a-z0-9-]+)\",\"stored_bytes\":(\\d+),"
            + "\"saved\":(-?[0-9.]+),\"dedup_mb_s\":([0-9.]+),\"restore_mb_s\":([0-9.]+),\"verified\":(true|false)}");
    private final List<FunctionWorker> workers = new ArrayList<>();
    private Path root;

    @BeforeEach
    void setUp() throws IOException {
        root = FileTrees.createTempOnTmpfs("medes-compare-test-");
    }

    @AfterEach
    void tearDown() throws IOException {
        workers.forEach(FunctionWorker::close);
        if (root != null) {
            FileTrees.delete(root);
        }
    }

    private FunctionWorker start(String function, int input) throws IOException {
        FunctionWorker w = FunctionWorker.start(function, input, root.resolve(function + "-" + input), DEADLINE);
        workers.add(w);
        return w;
    }

    record Row(long stored, double saved, double dedupMbS, double restoreMbS, boolean verified) {
    }

    @Test
    void everyEngineRoundTripsARealCheckpointAndMedesSavesMoreThanLz4AndKsm() throws Exception {
        assumeFalse(Boolean.getBoolean(Criu.DISABLED_PROPERTY), "CRIU switched off by -D" + Criu.DISABLED_PROPERTY);
        Criu.ensureAvailability(); // throws, failing the class, naming where CRIU was looked for
        FunctionWorker base = start("numpy-sum", 1);
        FunctionWorker target = start("numpy-sum", 2);
        base.invoke();
        target.invoke();
        Path baseDir = root.resolve("base-ck");
        Path targetDir = root.resolve("target-ck");
        CriuCheckpointer criu = CriuCheckpointer.system();
        criu.dump(base.pid(), baseDir, true);
        criu.dump(target.pid(), targetDir, false);
        target.awaitReaped(DEADLINE);

        SimulateCommandTest.Result r = SimulateCommandTest.run("compare", "--base", baseDir.toString(), "--target",
                targetDir.toString(), "--json");
        System.out.print(r.out());
        System.out.print(r.err());
        assertThat(r.code()).as("exit code; stderr: %s", r.err()).isZero();
        String json = r.out().strip();
        assertThat(json.lines()).hasSize(1);
        Matcher raw = Pattern.compile("^\\{\"raw_bytes\":(\\d+),\"results\":\\[").matcher(json);
        assertThat(raw.find()).as(json).isTrue();
        long rawBytes = Long.parseLong(raw.group(1));
        assertThat(rawBytes).isPositive().isEqualTo(rawBytes / 4096 * 4096);
        Map<String, Row> rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(json);
        while (m.find()) {
            rows.put(m.group(1), new Row(Long.parseLong(m.group(2)), Double.parseDouble(m.group(3)),
                    Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5)), Boolean.parseBoolean(m.group(6))));
        }
        assertThat(json).endsWith("}]}");
        List<String> expected = new ArrayList<>(List.of("medes", "medes-paper", "ksm", "lz4", "zstd", "zstd-patch-from"));
        if (!r.err().contains("xdelta3 left out")) {
            expected.add("xdelta3");
        }
        assertThat(rows.keySet()).containsExactlyElementsOf(expected);
        rows.forEach((name, row) -> {
            assertThat(row.verified()).as("%s round trip verified", name).isTrue();
            assertThat(row.saved()).as("%s saved", name).isCloseTo(1 - (double) row.stored() / rawBytes,
                    org.assertj.core.data.Offset.offset(0.0001));
            assertThat(row.dedupMbS()).as("%s dedup MB/s", name).isPositive();
            assertThat(row.restoreMbS()).as("%s restore MB/s", name).isPositive();
        });
        assertThat(rows.get("medes").saved()).isGreaterThan(rows.get("lz4").saved())
                .isGreaterThan(rows.get("ksm").saved());

        SimulateCommandTest.Result table = SimulateCommandTest.run("compare", "--base", baseDir.toString(), "--target",
                targetDir.toString(), "--runs", "2", "--threads", "2", "--warm-up", "0.2", "--zstd-level", "1");
        assertThat(table.code()).isZero();
        assertThat(table.out()).contains("(medes on 2 threads at zstd level 1; medians of 2 warm runs after warm-up round trips for 0.2 s per engine)")
                .contains("engine").contains("medes-paper").contains("zstd-patch-from")
                .containsPattern("medes +\\d+ +\\d+\\.\\d%");
    }

    @Test
    void optionErrorsExitWithTwoAndAMissingCheckpointWithOne() throws Exception {
        SimulateCommandTest.Result r = SimulateCommandTest.run("compare", "--base", root.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("compare: --base and --target are required");
        r = SimulateCommandTest.run("compare", "--base", "a", "--target", "b", "--bogus");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("compare: unexpected argument --bogus");
        r = SimulateCommandTest.run("compare", "--base", "a", "--target", "b", "--runs", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("compare: --runs must be at least 1");
        r = SimulateCommandTest.run("compare", "--base", "a", "--target", "b", "--warm-up", "-1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("compare: --warm-up must be 0 to 3600 seconds, not -1.0");
        r = SimulateCommandTest.run("compare", "--base", "a", "--target", "b", "--zstd-level", "23");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("compare: --zstd-level must be in 0..22, was 23");
        r = SimulateCommandTest.run("compare", "--base", root.resolve("none").toString(), "--target",
                root.resolve("none2").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("compare: ");
        assertThat(SimulateCommandTest.run("help").out()).contains("compare --base DIR --target DIR [--json]");
    }
}
