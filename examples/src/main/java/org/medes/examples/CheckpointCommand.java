package org.medes.examples;

import org.medes.criu.checkpoint.CriuCheckpointer;
import org.medes.criu.checkpoint.DumpResult;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code ./medes checkpoint --pid PID --out DIR [--leave-running]}: dumps a process tree with CRIU
 * into DIR (best on /dev/shm). Without --leave-running the process is killed; its parent must reap
 * it before the dump can be restored under the same pid.
 */
final class CheckpointCommand {
    static final String USAGE = "checkpoint --pid PID --out DIR [--leave-running]";

    private CheckpointCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Long pid = null;
        Path dir = null;
        boolean leaveRunning = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pid" -> pid = Long.parseLong(value(args, i++));
                case "--out" -> dir = Path.of(value(args, i++));
                case "--leave-running" -> leaveRunning = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (" + USAGE + ")");
            }
        }
        if (pid == null || dir == null) {
            throw new IllegalArgumentException("--pid and --out are required (" + USAGE + ")");
        }
        DumpResult d = CriuCheckpointer.system().dump(pid, dir, leaveRunning);
        out.printf("checkpointed pid %d into %s in %d ms (%s)%n", d.pid(), d.dir(), d.elapsed().toMillis(),
                d.leftRunning() ? "left running" : "process ended");
        return 0;
    }

    /** The value after option {@code args[i]}. */
    static String value(String[] args, int i) {
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException(args[i] + " needs a value");
        }
        return args[i + 1];
    }
}
