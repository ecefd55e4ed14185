package org.medes.policy.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MalformedTraceTest {

    @TempDir
    Path dir;

    private TraceFormatException invocationsFault(List<String> lines) {
        Path file = Fixtures.write(dir, "invocations_per_function_md.anon.d01.csv", lines);
        TraceFormatException e = catchThrowableOfType(TraceFormatException.class,
                () -> AzureTraceReader.builder(file).build());
        assertThat(e).isNotNull();
        assertThat(e.file()).isEqualTo(file);
        assertThat(e.getMessage()).startsWith(file + ":" + e.line());
        return e;
    }

    private static String good(String function) {
        return Fixtures.row("o", "a", function, "http", Map.of(1, 1));
    }

    private static String withField(int column, String value) {
        List<String> fields = new ArrayList<>(List.of(good("f").split(",", -1)));
        fields.set(column - 1, value);
        return String.join(",", fields);
    }

    @Test
    void wrongHeaderNamesTheColumn() {
        String header = Fixtures.header().replace("HashFunction", "HashFunc");
        TraceFormatException e = invocationsFault(List.of(header, good("f")));
        assertThat(e.line()).isEqualTo(1);
        assertThat(e.column()).isEqualTo(3);
        assertThat(e).hasMessageContaining("HashFunc").hasMessageContaining("HashFunction");
    }

    @Test
    void headerMissingLastMinute() {
        String header = Fixtures.header();
        TraceFormatException e = invocationsFault(List.of(header.substring(0, header.lastIndexOf(','))));
        assertThat(e.line()).isEqualTo(1);
        assertThat(e).hasMessageContaining("expected 1444 comma-separated columns, found 1443");
    }

    @Test
    void wrongColumnCountNamesTheLine() {
        String row = good("g");
        TraceFormatException e = invocationsFault(List.of(Fixtures.header(), good("f"), row + ",0"));
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.column()).isZero();
        assertThat(e).hasMessageContaining("found 1445");
    }

    @Test
    void nonNumericCountNamesLineColumnAndMinute() {
        TraceFormatException e = invocationsFault(List.of(Fixtures.header(), good("f"), withField(9, "x")));
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.column()).isEqualTo(9);
        assertThat(e).hasMessageContaining("minute 5 is 'x'");
    }

    @Test
    void negativeCountIsRejected() {
        TraceFormatException e = invocationsFault(List.of(Fixtures.header(), withField(1444, "-1")));
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.column()).isEqualTo(1444);
        assertThat(e).hasMessageContaining("minute 1440 is '-1'");
    }

    @Test
    void countTooLargeAndEmptyFieldsAreRejected() {
        assertThat(invocationsFault(List.of(Fixtures.header(), withField(5, "99999999999"))).column()).isEqualTo(5);
        assertThat(invocationsFault(List.of(Fixtures.header(), withField(6, ""))).column()).isEqualTo(6);
        TraceFormatException e = invocationsFault(List.of(Fixtures.header(), withField(2, "")));
        assertThat(e.column()).isEqualTo(2);
        assertThat(e).hasMessageContaining("HashApp is empty");
    }

    @Test
    void emptyFileSaysSo() {
        TraceFormatException e = invocationsFault(List.of());
        assertThat(e.line()).isZero();
        assertThat(e).hasMessageContaining("empty file");
    }

    @Test
    void missingFileNamesIt() {
        Path missing = dir.resolve("invocations_per_function_md.anon.d09.csv");
        assertThatThrownBy(() -> AzureTraceReader.builder(missing).build())
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> AzureDurations.read(missing)).hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> AzureAppMemory.read(missing)).hasMessageContaining(missing.toString());
    }

    @Test
    void windowsLineEndingsAndAByteOrderMarkAreAccepted() {
        Path file = Fixtures.write(dir, "crlf.csv", List.of("\uFEFF" + Fixtures.header() + "\r", good("f") + "\r"));
        AzureTraceReader r = AzureTraceReader.builder(file).build();
        assertThat(r.totalInvocations()).isEqualTo(1);
    }
}
