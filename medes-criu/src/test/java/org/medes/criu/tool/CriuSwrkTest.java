package org.medes.criu.tool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link CriuSwrk} against shell scripts standing in for {@code criu swrk 3}: the socketpair, the
 * spawn with fd 3 inherited, one datagram each way, and how a worker that misbehaves is reported.
 * No CRIU needed.
 */
class CriuSwrkTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private CriuBinary fake(String body) {
        return new CriuBinary(FakeCriu.script(tmp.resolve("criu"), body), new CriuVersion(4, 1, 1, 0));
    }

    @Test
    void theChildGetsItsEndOnFd3AndAnswersOneDatagram() throws Exception {
        // reads the request (one datagram) and answers with its argv and what it read, byte for byte
        CriuBinary criu = fake("""
                req=$(dd bs=65536 count=1 <&3 2>/dev/null)
                printf '%s %s|%s' "$1" "$2" "$req" >&3
                """);
        try (CriuSwrk swrk = CriuSwrk.spawn(criu)) {
            byte[] answer = swrk.call("hello".getBytes(StandardCharsets.US_ASCII), TIMEOUT);
            assertThat(new String(answer, StandardCharsets.US_ASCII)).isEqualTo("swrk 3|hello");
        }
    }

    @Test
    void aWorkerThatExitsWithoutAnsweringIsReportedWithItsStatusAndOutput() throws Exception {
        CriuBinary criu = fake("echo 'Error: no swrk here' >&2; exit 3\n");
        try (CriuSwrk swrk = CriuSwrk.spawn(criu)) {
            assertThatThrownBy(() -> swrk.call(new byte[] {8, 1}, TIMEOUT))
                    .hasMessageContaining("criu swrk " + swrk.pid())
                    .hasMessageContaining("exited with 3")
                    .hasMessageContaining("Error: no swrk here");
        }
    }

    @Test
    void aWorkerThatNeverAnswersIsKilledAtTheDeadline() throws Exception {
        CriuBinary criu = fake("exec sleep 60\n");
        try (CriuSwrk swrk = CriuSwrk.spawn(criu)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> swrk.call(new byte[] {8, 1}, Duration.ofMillis(300)))
                    .hasMessageContaining("did not answer within 300 ms; killed it")
                    .hasMessageContaining("killed by signal 9");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void spawningSomethingThatDoesNotExistSaysWhat() {
        CriuBinary missing = new CriuBinary(tmp.resolve("no-criu"), new CriuVersion(4, 1, 1, 0));
        assertThatThrownBy(() -> CriuSwrk.spawn(missing))
                .hasMessageContaining("cannot spawn '" + tmp.resolve("no-criu") + " swrk 3'")
                .hasMessageContaining("No such file");
    }

    @Test
    void openDirectoryNamesADirectoryThatCannotBeOpened() {
        assertThatThrownBy(() -> CriuSwrk.openDirectory(tmp.resolve("absent")))
                .hasMessageContaining("cannot open images directory " + tmp.resolve("absent"))
                .hasMessageContaining("errno 2");
    }
}
