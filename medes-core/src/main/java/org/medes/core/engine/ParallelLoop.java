package org.medes.core.engine;

import org.medes.core.base.BasePageUnavailableException;

/**
 * Runs {@code task(0) .. task(n - 1)}, on the engine's worker threads or one after another, and
 * returns when all have run; the first failure is rethrown. Tasks write only results of their own
 * index, so what they produce does not depend on how they were run.
 */
@FunctionalInterface
interface ParallelLoop {
    void run(int n, Task task) throws BasePageUnavailableException;

    /** The work for one index. */
    @FunctionalInterface
    interface Task {
        void run(int i) throws BasePageUnavailableException;
    }
}
