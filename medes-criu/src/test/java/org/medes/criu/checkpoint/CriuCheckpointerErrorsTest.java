package org.medes.criu.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medes.criu.tool.CriuBinary;
import org.medes.criu.tool.CriuVersion;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Errors of {@link CriuCheckpointer} with a fake criu script: no CRIU needed. */
class CriuCheckpointerErrorsTest {
    @TempDir
    Path tmp;

    private CriuCheckpointer fake(String body) throws Exception {
        Path script = tmp.resolve("criu");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new CriuCheckpointer(new CriuBinary(script, new CriuVersion(4, 1, 1, 0)), Duration.ofSeconds(10),
                CriuCheckpointer.Mode.CLI);
    }

    @Test
    void failedDumpQuotesTheEndOfCriusLogAndNamesPidAndDir() throws Exception {
        // the fake writes a long log into the images dir (-D is its 5th argument) and fails
        CriuCheckpointer criu = fake("""
                i=1; while [ $i -le 40 ]; do echo "(00.0$i) line $i" >> "$5/dump.log"; i=$((i+1)); done
                echo "Error (criu/cr-dump.c:1): Dumping FAILED." >> "$5/dump.log"
                echo "criu says no"; exit 1""");
        long self = ProcessHandle.current().pid();
        Path dir = tmp.resolve("img");
        assertThatThrownBy(() -> criu.dump(self, dir, true))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("dump of pid " + self)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("exited with 1")
                .hasMessageContaining("criu says no")
                .hasMessageContaining("Dumping FAILED")
                .hasMessageContaining("line 40")
                .hasMessageNotContaining("line 10\n");
    }

    /** Reads the request datagram: a peer that closes with it unread resets the connection. */
    private static final String READ_REQUEST = "dd bs=65536 count=1 <&3 >/dev/null 2>&1\n";

    @Test
    void malformedOrRefusingRpcAnswersAreReportedWithTheLogTail() throws Exception {
        // a "criu swrk" that reads the request and answers one byte of garbage
        Path script = tmp.resolve("criu");
        Files.writeString(script, "#!/bin/sh\necho '(00.01) swrk started' > \"$(dirname \"$0\")/img/dump.log\"\n"
                + READ_REQUEST + "printf '\\377' >&3\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        CriuCheckpointer criu = new CriuCheckpointer(new CriuBinary(script, new CriuVersion(4, 1, 1, 0)),
                Duration.ofSeconds(10), CriuCheckpointer.Mode.RPC);
        long self = ProcessHandle.current().pid();
        Path dir = tmp.resolve("img");
        assertThatThrownBy(() -> criu.dump(self, dir, true))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("criu dump of pid " + self + " (" + dir + ") over RPC")
                .hasMessageContaining("malformed criu_resp (1 bytes)")
                .hasMessageContaining("at offset 0: truncated varint")
                .hasMessageContaining("swrk started");

        // one that answers a well-formed DUMP response saying it failed: type=1, success=0, cr_errmsg
        Files.writeString(script, "#!/bin/sh\n" + READ_REQUEST + "printf '\\010\\001\\020\\000\\112\\004nope' >&3\n");
        assertThatThrownBy(() -> criu.dump(self, dir, true))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("over RPC failed (cr_errmsg 'nope')");

        // one that answers for another request type
        Files.writeString(script, "#!/bin/sh\n" + READ_REQUEST + "printf '\\010\\002\\020\\001' >&3\n");
        assertThatThrownBy(() -> criu.dump(self, dir, true))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("answered a request of type 2, not 1");
    }

    @Test
    void dumpOfAPidThatDoesNotRunSaysSo() throws Exception {
        CriuCheckpointer criu = fake("exit 0");
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertThatThrownBy(() -> criu.dump(p.pid(), tmp.resolve("img"), false))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("pid " + p.pid())
                .hasMessageContaining("no such running process");
    }

    @Test
    void restoreOfADirectoryWithoutImagesNamesIt() throws Exception {
        CriuCheckpointer criu = fake("exit 0");
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertThatThrownBy(() -> criu.restore(empty))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("cannot restore " + empty);
    }

    @Test
    void workerRefusesASocketPathLinuxCannotBind() {
        Path deep = tmp.resolve("d".repeat(120));
        assertThatThrownBy(() -> FunctionWorker.start("numpy-sum", 1, deep, Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer than 107 bytes");
        assertThatThrownBy(() -> FunctionWorker.start("no-such-function", 1, tmp, Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown function");
    }

    @Test
    void timeoutMustBePositive() throws Exception {
        assertThatThrownBy(() -> new CriuCheckpointer(new CriuBinary(tmp, new CriuVersion(4, 1, 1, 0)), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(CriuCheckpointer.logTail(tmp.resolve("none.log"))).contains("no log at");
    }
}
