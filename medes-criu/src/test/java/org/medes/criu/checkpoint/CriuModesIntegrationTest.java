package org.medes.criu.checkpoint;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.medes.criu.tool.Criu;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real workers, real CRIU, in each {@link CriuCheckpointer.Mode} (command line and RPC, one suite
 * for both): dump and restore a worker, and a failure CRIU reports. Fails when CRIU is unavailable
 * unless {@code -Dmedes.criu.disabled=true}.
 */
class CriuModesIntegrationTest {
    private LiveWorkers live;

    @BeforeAll
    static void criuMustBeAvailableUnlessSwitchedOff() {
        LiveWorkers.requireCriu();
    }

    @BeforeEach
    void setUp() throws IOException {
        live = new LiveWorkers("medes-rpc-test-");
    }

    private static CriuCheckpointer criu(CriuCheckpointer.Mode mode) {
        return new CriuCheckpointer(Criu.binary(), CriuCheckpointer.DEFAULT_TIMEOUT, mode);
    }

    @AfterEach
    void tearDown() throws IOException {
        live.close();
    }

    @ParameterizedTest
    @EnumSource(CriuCheckpointer.Mode.class)
    void dumpAndRestoreKeepTheWorkersState(CriuCheckpointer.Mode mode) throws Exception {
        CriuCheckpointer rpc = criu(mode);
        FunctionWorker w = live.start(FunctionWorker.Runtime.PYTHON, "numpy-sum", 3, "w");
        w.invoke();
        long value = FunctionWorker.value(w.invoke());

        Path base = live.root().resolve("left-running");
        DumpResult kept = rpc.dump(w.pid(), base, true);
        assertThat(kept.leftRunning()).isTrue();
        assertThat(FunctionWorker.counter(w.invoke())).as("still serving after a leave-running dump").isEqualTo(3);
        assertThat(base.resolve(CriuCheckpointer.DUMP_LOG)).exists();

        Path dir = live.root().resolve("ck");
        DumpResult d = rpc.dump(w.pid(), dir, false);
        w.awaitReaped(LiveWorkers.DEADLINE);
        assertThat(pagesFiles(dir)).isNotEmpty();
        RestoreResult r = rpc.restore(dir);
        System.out.printf("medes-criu timing (%s): dump %d ms, restore %d ms%n", mode, d.elapsed().toMillis(),
                r.elapsed().toMillis());
        assertThat(r.pid()).isEqualTo(w.pid());
        FunctionWorker restored = live.attach(r.pid(), w);
        restored.awaitReady(LiveWorkers.DEADLINE);
        String answer = restored.invoke();
        assertThat(FunctionWorker.counter(answer)).as(answer).isEqualTo(4);
        assertThat(FunctionWorker.value(answer)).as(answer).isEqualTo(value + 3 + 4);
    }

    @ParameterizedTest
    @EnumSource(CriuCheckpointer.Mode.class)
    void aRestoreCriuRefusesFailsWithItsMessageAndLogTail(CriuCheckpointer.Mode mode) throws Exception {
        CriuCheckpointer rpc = criu(mode);
        FunctionWorker w = live.start(FunctionWorker.Runtime.PYTHON, "numpy-sum", 4, "w");
        Path dir = live.root().resolve("ck");
        rpc.dump(w.pid(), dir, false);
        w.awaitReaped(LiveWorkers.DEADLINE);
        // criu refuses to reopen a file whose size changed since the dump
        Files.writeString(w.dir().resolve("worker.err"), "grown after the dump\n",
                java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> rpc.restore(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("restore of pid " + w.pid())
                .hasMessageContaining(dir.toString())
                .hasMessageContaining(mode == CriuCheckpointer.Mode.RPC ? "over RPC failed" : "exited with 1")
                .hasMessageContaining("lines of " + dir.resolve(CriuCheckpointer.RESTORE_LOG))
                .hasMessageContaining("Error")
                .hasMessageContaining("has bad size")
                .satisfies(e -> System.out.println("medes-criu: failed " + mode + " restore says: " + e.getMessage()));
        assertThat(Processes.awaitFree(w.pid(), LiveWorkers.DEADLINE)).as("nothing left of the failed restore").isTrue();
    }

    private static java.util.List<Path> pagesFiles(Path dir) throws IOException {
        java.util.List<Path> out = new java.util.ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "pages-*.img")) {
            ds.forEach(out::add);
        }
        return out;
    }
}
