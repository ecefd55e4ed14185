package org.medes.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = MedesCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void jsonFollowsTheContract() throws Exception {
        Result r = run("simulate", "--scenario", "paper", "--json", "--minutes", "10", "--quiet");
        assertThat(r.code()).isZero();
        String json = r.out().strip();
        assertThat(json.lines()).hasSize(1);
        Pattern policy = Pattern.compile("\\{\"name\":\"([a-z-]+)\",\"cold_starts\":(\\d+),\"dedup_starts\":(\\d+),"
                + "\"warm_starts\":(\\d+),\"p50_ms\":([0-9.]+),\"p99_ms\":([0-9.]+),\"p999_ms\":([0-9.]+),"
                + "\"mean_memory_mb\":([0-9.]+)}");
        Matcher m = policy.matcher(json);
        int n = 0;
        long total = -1;
        while (m.find()) {
            n++;
            long sum = Long.parseLong(m.group(2)) + Long.parseLong(m.group(3)) + Long.parseLong(m.group(4));
            if (total >= 0) {
                assertThat(sum).as("every policy serves the same invocations").isEqualTo(total);
            }
            total = sum;
            assertThat(Double.parseDouble(m.group(5))).isLessThanOrEqualTo(Double.parseDouble(m.group(6)));
            assertThat(Double.parseDouble(m.group(6))).isLessThanOrEqualTo(Double.parseDouble(m.group(7)));
        }
        assertThat(n).isEqualTo(5);
        assertThat(total).isPositive();
        assertThat(json).startsWith("{\"policies\":[{\"name\":\"fixed\"").containsPattern(",\"events_per_second\":[0-9.]+}$");
    }

    @Test
    void tableCsvAndChartsOnRequest(@TempDir Path dir) throws Exception {
        Result r = run("simulate", "--policies", "fixed,medes", "--minutes", "5", "--quiet",
                "--csv", dir.resolve("csv").toString(), "--charts", dir.resolve("png").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Scenario paper: 19 nodes x 2048 MB").contains("medes vs fixed:")
                .contains("paper (EuroSys 2022)");
        assertThat(Files.readAllLines(dir.resolve("csv/summary.csv"))).hasSize(3);
        assertThat(dir.resolve("png/memory.png")).isNotEmptyFile();
    }

    @Test
    void badOptionsSayWhatIsWrong() throws Exception {
        assertThat(run("simulate", "--policies", "nope")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("unknown policy 'nope'");
        });
        assertThat(run("simulate", "--minutes", "x").err()).contains("--minutes needs a number, got 'x'");
        assertThat(run("simulate", "--scenario", "azure").err()).contains("--scenario azure needs --trace");
        assertThat(run("simulate", "--frobnicate", "1").err()).contains("unknown option --frobnicate");
    }
}
