package org.medes.criu.checkpoint;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medes.criu.tool.Criu;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real workers, real CRIU, driven over RPC ({@code criu swrk}): dump and restore a worker, and a
 * failure CRIU reports in its response. Fails when CRIU is unavailable unless
 * {@code -Dmedes.criu.disabled=true}.
 */
class CriuRpcIntegrationTest {
    private LiveWorkers live;
    private CriuCheckpointer rpc;

    @BeforeAll
    static void criuMustBeAvailableUnlessSwitchedOff() {
        LiveWorkers.requireCriu();
    }

    @BeforeEach
    void setUp() throws IOException {
        live = new LiveWorkers("medes-rpc-test-");
        rpc = new CriuCheckpointer(Criu.binary(), CriuCheckpointer.DEFAULT_TIMEOUT, CriuCheckpointer.Mode.RPC);
    }

    @AfterEach
    void tearDown() throws IOException {
        live.close();
    }

    @Test
    void dumpAndRestoreOverRpcKeepTheWorkersState() throws Exception {
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
        System.out.printf("medes-criu timing (rpc): dump %d ms, restore %d ms%n", d.elapsed().toMillis(),
                r.elapsed().toMillis());
        assertThat(r.pid()).isEqualTo(w.pid());
        FunctionWorker restored = live.attach(r.pid(), w);
        restored.awaitReady(LiveWorkers.DEADLINE);
        String answer = restored.invoke();
        assertThat(FunctionWorker.counter(answer)).as(answer).isEqualTo(4);
        assertThat(FunctionWorker.value(answer)).as(answer).isEqualTo(value + 3 + 4);
    }

    @Test
    void aRestoreCriuRefusesFailsWithItsMessageAndLogTail() throws Exception {
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
                .hasMessageContaining("over RPC failed")
                .hasMessageContaining("lines of " + dir.resolve(CriuCheckpointer.RESTORE_LOG))
                .hasMessageContaining("Error")
                .satisfies(e -> System.out.println("medes-criu: failed RPC restore says: " + e.getMessage()));
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
