package org.medes.criu.checkpoint;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real worker, real CRIU: copies restored from a leave-running checkpoint while the original runs,
 * each in its own PID and mount namespace. Fails when CRIU is unavailable unless
 * {@code -Dmedes.criu.disabled=true}.
 */
class RestoredCopyIntegrationTest {
    private LiveWorkers live;

    @BeforeAll
    static void criuMustBeAvailableUnlessSwitchedOff() {
        LiveWorkers.requireCriu();
    }

    @BeforeEach
    void setUp() throws IOException {
        live = new LiveWorkers("medes-copy-test-");
    }

    @AfterEach
    void tearDown() throws IOException {
        live.close();
    }

    @Test
    void originalAndTwoCopiesAnswerFromTheCheckpointedStateIndependently() throws Exception {
        FunctionWorker original = live.start(FunctionWorker.Runtime.PYTHON, "numpy-sum", 11, "w");
        original.invoke();
        long atCheckpoint = FunctionWorker.value(original.invoke()); // counter 2
        Path ck = live.root().resolve("ck");
        live.criu().dump(original.pid(), ck, true);

        // the original moves on before any copy exists
        String o3 = original.invoke();
        assertThat(FunctionWorker.counter(o3)).isEqualTo(3);

        Duration deadline = LiveWorkers.DEADLINE;
        try (RestoredCopy a = RestoredCopy.start(live.criu().criu(), ck, original.dir(), live.root().resolve("copy-a"),
                deadline);
             RestoredCopy b = RestoredCopy.start(live.criu().criu(), ck, original.dir(), live.root().resolve("copy-b"),
                     deadline)) {
            assertThat(a.pid()).as("pid inside its namespace").isEqualTo(original.pid());
            assertThat(a.hostPid()).isNotEqualTo(original.pid()).isNotEqualTo(b.hostPid());
            assertThat(RestoredCopy.innermostPid(a.hostPid())).isEqualTo(original.pid());
            FunctionWorker ca = FunctionWorker.attach(a);
            FunctionWorker cb = FunctionWorker.attach(b);
            ca.awaitReady(deadline); // "pong" with the original's pid, on copy-a/worker.sock
            assertThat(ca.socket()).isEqualTo(live.root().resolve("copy-a").resolve(FunctionWorker.SOCKET).toAbsolutePath());

            String a3 = ca.invoke();
            assertThat(FunctionWorker.counter(a3)).as(a3).isEqualTo(3);
            assertThat(FunctionWorker.value(a3)).as("state from the checkpoint, not from the original's later call")
                    .isEqualTo(atCheckpoint + 3);
            assertThat(FunctionWorker.counter(ca.invoke())).isEqualTo(4);
            assertThat(FunctionWorker.counter(cb.invoke())).as("copy b is not moved by copy a").isEqualTo(3);
            String o4 = original.invoke();
            assertThat(FunctionWorker.counter(o4)).as("the original keeps its socket and state").isEqualTo(4);
            assertThat(FunctionWorker.value(o4)).isEqualTo(FunctionWorker.value(o3) + 4);

            a.close();
            assertThat(a.isRunning()).isFalse();
            assertThatThrownBy(ca::invoke).isInstanceOf(IOException.class);
            assertThat(FunctionWorker.counter(original.invoke())).as("original unharmed").isEqualTo(5);
            assertThat(FunctionWorker.counter(cb.invoke())).isEqualTo(4);
            assertThat(original.isRunning()).isTrue();
        }
    }

    @Test
    void aCopyCriuCannotRestoreFailsWithTheLogTailAndLeavesNothingRunning() throws Exception {
        FunctionWorker original = live.start(FunctionWorker.Runtime.PYTHON, "numpy-sum", 12, "w");
        Path ck = live.root().resolve("ck");
        live.criu().dump(original.pid(), ck, true);
        // the copy reopens worker.err from its copy directory; a size change since the dump is refused
        Files.writeString(original.dir().resolve("worker.err"), "grown\n");
        Path copy = live.root().resolve("copy");
        assertThatThrownBy(() -> RestoredCopy.start(live.criu().criu(), ck, original.dir(), copy, LiveWorkers.DEADLINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("restore of a copy of pid " + original.pid())
                .hasMessageContaining("failed")
                .hasMessageContaining("has bad size");
        assertThat(original.isRunning()).isTrue();
        assertThat(FunctionWorker.counter(original.invoke())).isEqualTo(1);
    }
}
