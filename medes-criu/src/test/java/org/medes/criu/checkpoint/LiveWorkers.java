package org.medes.criu.checkpoint;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.medes.criu.tool.Criu;
import org.medes.criu.tool.FileTrees;

/**
 * What one CRIU integration test works with: a directory on tmpfs for checkpoints and workers, the
 * checkpointer, and every worker it started or attached to; {@link #close()} stops the workers and
 * deletes the directory.
 */
final class LiveWorkers implements AutoCloseable {
    static final Duration DEADLINE = Duration.ofSeconds(30);

    private final Path root;
    private final CriuCheckpointer criu;
    private final List<FunctionWorker> workers = new ArrayList<>();

    LiveWorkers(String prefix) throws IOException {
        this.root = FileTrees.createTempOnTmpfs(prefix);
        this.criu = CriuCheckpointer.system();
    }

    /**
     * For a {@code @BeforeAll}: skips when {@code -Dmedes.criu.disabled=true}, and otherwise fails,
     * naming where CRIU was looked for, when there is none.
     */
    static void requireCriu() {
        assumeFalse(Boolean.getBoolean(Criu.DISABLED_PROPERTY), "CRIU switched off by -D" + Criu.DISABLED_PROPERTY);
        Criu.ensureAvailability();
    }

    Path root() {
        return root;
    }

    CriuCheckpointer criu() {
        return criu;
    }

    /** Starts a worker in {@code root/dirName}. */
    FunctionWorker start(FunctionWorker.Runtime runtime, String function, int input, String dirName)
            throws IOException {
        FunctionWorker w = FunctionWorker.start(runtime, function, input, root.resolve(dirName), DEADLINE);
        workers.add(w);
        return w;
    }

    /** Attaches to a restored worker that answers where {@code original} did. */
    FunctionWorker attach(long pid, FunctionWorker original) {
        FunctionWorker w = FunctionWorker.attach(pid, original.dir());
        workers.add(w);
        return w;
    }

    @Override
    public void close() throws IOException {
        workers.forEach(FunctionWorker::close);
        FileTrees.delete(root);
    }
}
