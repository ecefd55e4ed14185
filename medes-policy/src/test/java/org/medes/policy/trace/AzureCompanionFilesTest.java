package org.medes.policy.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AzureCompanionFilesTest {

    private static final TraceFunction F1 = new TraceFunction("o1", "a1", "f1", "http");
    private static final TraceFunction F2 = new TraceFunction("o1", "a1", "f2", "timer");
    private static final TraceFunction F3 = new TraceFunction("o2", "a2", "f3", "queue");
    private static final TraceFunction F4 = new TraceFunction("o3", "a3", "f4", "event");

    @Test
    void durationsByFunction() {
        AzureDurations d = AzureDurations.read(Fixtures.path(Fixtures.DURATIONS));
        assertThat(d.all()).hasSize(3);
        assertThat(d.averageMs(F1)).hasValue(120.5);
        assertThat(d.averageMs(F3)).hasValue(35.25);
        assertThat(d.averageMs(F4)).isEmpty();
        FunctionDuration f3 = d.get(F3).orElseThrow();
        assertThat(f3).isEqualTo(new FunctionDuration("o2", "a2", "f3", 35.25, 100, 3, 900, 3, 4, 20, 30, 40, 800, 900));
        FunctionDuration f2 = d.get(F2).orElseThrow();
        assertThat(f2.minimumMs()).isNaN();
        assertThat(f2.maximumMs()).isNaN();
        assertThat(f2.p50Ms()).isEqualTo(2480);
    }

    @Test
    void memoryByApplication() {
        AzureAppMemory m = AzureAppMemory.read(Fixtures.path(Fixtures.MEMORY));
        assertThat(m.all()).hasSize(2);
        assertThat(m.averageMb(F1)).hasValue(172.5);
        assertThat(m.averageMb(F2)).hasValue(172.5);
        assertThat(m.get(F3).orElseThrow()).isEqualTo(new AppMemory("o2", "a2", 60, 96, 90, 91, 93, 95, 98, 101, 104, 110));
        assertThat(m.averageMb(F4)).isEmpty();
    }

    @Test
    void malformedDurationsNameFileLineAndColumn(@TempDir Path dir) throws Exception {
        List<String> lines = Files.readAllLines(Fixtures.path(Fixtures.DURATIONS));
        assertFault(dir, lines, 3, lines.get(2).replace("2500", "fast"), 4, "Average is 'fast'", true);
        assertFault(dir, lines, 2, lines.get(1).replace(",6,", ",-6,"), 5, "Count is '-6'", true);
        assertFault(dir, lines, 2, lines.get(1).replace(",6,", ",6.5,"), 5, "whole number", true);
        assertFault(dir, lines, 4, lines.get(3) + ",1", 0, "expected 14 comma-separated columns, found 15", true);
        assertFault(dir, lines, 1, lines.get(0).replace("Maximum", "Max"), 7, "'Max'", true);
    }

    @Test
    void malformedMemoryNamesFileLineAndColumn(@TempDir Path dir) throws Exception {
        List<String> lines = Files.readAllLines(Fixtures.path(Fixtures.MEMORY));
        assertFault(dir, lines, 2, lines.get(1).replace("172.5", "NaN"), 4, "AverageAllocatedMb is 'NaN'", false);
        assertFault(dir, lines, 3, lines.get(2).replace(",110", ""), 0, "found 11", false);
        assertFault(dir, lines, 3, lines.get(2).replace("o2,a2,60", "o2,a2,"), 3, "SampleCount is empty", false);
    }

    private static void assertFault(Path dir, List<String> lines, int line, String replacement, int column,
                                    String reason, boolean durations) throws Exception {
        List<String> copy = new java.util.ArrayList<>(lines);
        copy.set(line - 1, replacement);
        Path file = dir.resolve("bad-" + line + "-" + column + ".csv");
        Files.write(file, copy);
        TraceFormatException e = catchThrowableOfType(TraceFormatException.class,
                () -> {
                    if (durations) {
                        AzureDurations.read(file);
                    } else {
                        AzureAppMemory.read(file);
                    }
                });
        assertThat(e).as(reason).isNotNull();
        assertThat(e.line()).isEqualTo(line);
        assertThat(e.column()).isEqualTo(column);
        assertThat(e.getMessage()).startsWith(file.toString()).contains(reason);
    }
}
