package org.medes.criu.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** What {@code /proc} says about a pid: running, a zombie, or gone. Stateless. */
final class Processes {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private Processes() {
    }

    /** The state letter of {@code /proc/PID/stat} ('R', 'S', 'Z', ...), or 0 when there is no such pid. */
    static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')');
            return close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            return 0; // the process went away while being read
        }
    }

    /** True while {@code pid} is taken by a process that has not exited (zombies excluded). */
    static boolean isRunning(long pid) {
        char s = state(pid);
        return s != 0 && s != 'Z' && s != 'X';
    }

    /** True while the pid is taken at all, zombies included: a restore under it would fail. */
    static boolean isTaken(long pid) {
        return state(pid) != 0;
    }

    /** Polls until {@code pid} no longer runs; false when {@code timeout} passed first. */
    static boolean awaitExit(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isRunning(pid)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return true;
    }

    /** Polls until the pid is free (reaped by its parent); false when {@code timeout} passed first. */
    static boolean awaitFree(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isTaken(pid)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return true;
    }
}
