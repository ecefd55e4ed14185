package org.medes.criu.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real CRIU of this machine, found as Medes finds it. scripts/test.sh runs scripts/setup.sh
 * first, which installs it; so unavailable CRIU fails these tests with the cause, unless
 * {@code -Dmedes.criu.disabled=true} says this machine cannot have it.
 */
class CriuIntegrationTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @BeforeAll
    static void criuMustBeAvailableUnlessSwitchedOff() {
        Assumptions.assumeFalse(Boolean.getBoolean(Criu.DISABLED_PROPERTY),
                "CRIU switched off by -D" + Criu.DISABLED_PROPERTY + "=true");
        Criu.ensureAvailability(); // throws, failing the class, naming where CRIU was looked for
    }

    @Test
    void locatedCriuIsRecentAndPassesCheck() {
        CriuBinary criu = Criu.binary();
        assertThat(Criu.isAvailable()).isTrue();
        assertThat(criu.version().isAtLeast(CriuVersion.MINIMUM)).as("version %s", criu.version()).isTrue();
        assertThat(Files.isExecutable(criu.path())).isTrue();
        assertThat(criu.check()).contains("Looks good.");
    }

    @Test
    void dumpsAndRestoresACountingProcessWhichCarriesOnFromWhereItWas(@TempDir Path tmp) throws Exception {
        CriuBinary criu = Criu.binary();
        Path count = tmp.resolve("count");
        Path images = Files.createDirectory(tmp.resolve("images"));
        // Its own session (setsid) and stdio on /dev/null: a tree CRIU can dump without --shell-job.
        Process counter = new ProcessBuilder("setsid", "/usr/bin/python3", "-c", """
                import os, time
                i = 0
                while True:
                    i += 1
                    with open("count.tmp", "w") as f: f.write(str(i))
                    os.rename("count.tmp", "count")
                    time.sleep(0.02)
                """)
                .directory(tmp.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true)
                .start();
        long pid = counter.pid();
        try {
            awaitCount(count, n -> n >= 5, "the counter to reach 5");

            run(criu.command("dump", "-t", Long.toString(pid), "-D", images.toString(), "-o", "dump.log"),
                    images.resolve("dump.log"));
            assertThat(counter.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("dump ends the process").isTrue();
            long atDump = readCount(count);
            assertThat(images.resolve("pstree.img")).exists();

            // The original is reaped above, so its pid is free for the restored process.
            run(criu.command("restore", "-D", images.toString(), "-d", "-o", "restore.log"),
                    images.resolve("restore.log"));
            long next = awaitCount(count, n -> n != atDump, "the restored counter to move on from " + atDump);
            assertThat(next).as("first count after restore (dumped at %d)", atDump).isGreaterThan(atDump);
            assertThat(ProcessHandle.of(pid)).as("restored under its old pid").isPresent();
        } finally {
            counter.destroyForcibly();
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static void run(List<String> command, Path log) throws IOException, InterruptedException {
        CommandRunner.Result r = CommandRunner.run(command, DEADLINE);
        if (r.exitCode() != 0) {
            String logText = Files.exists(log) ? Files.readString(log) : "(no log)";
            fail("'" + String.join(" ", command) + "' exited with " + r.exitCode() + ": " + r.output()
                    + "\n" + log + ":\n" + logText);
        }
    }

    /** Polls {@code count} until its value passes {@code done}; fails at the deadline. */
    private static long awaitCount(Path count, LongPredicate done, String what) throws IOException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            if (Files.exists(count)) {
                last = readCount(count);
                if (done.test(last)) return last;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return fail("gave up waiting " + DEADLINE.toSeconds() + " s for " + what + "; last count " + last);
    }

    private static long readCount(Path count) throws IOException {
        return Long.parseLong(Files.readString(count).strip());
    }
}
