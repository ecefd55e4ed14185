package org.medes.examples;

import java.io.PrintStream;
import java.util.Arrays;

/** The {@code ./medes} command line. */
public final class MedesCli {
    private MedesCli() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        String command = args.length == 0 ? "demo" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "demo":
                try {
                    return DemoCommand.run(rest, out);
                } catch (IllegalArgumentException e) {
                    err.println("demo: " + e.getMessage());
                    return 2;
                }
            case "simulate":
                try {
                    return SimulateCommand.run(rest, out, err);
                } catch (IllegalArgumentException e) {
                    err.println("simulate: " + e.getMessage());
                    return 2;
                }
            case "checkpoint":
                return guarded("checkpoint", () -> CheckpointCommand.run(rest, out), err);
            case "dedup":
                return guarded("dedup", () -> DedupCommand.run(rest, out), err);
            case "restore":
                return guarded("restore", () -> RestoreCommand.run(rest, out), err);
            case "corpus":
                return guarded("corpus", () -> CorpusCommand.run(rest, out), err);
            case "compare":
                return guarded("compare", () -> CompareCommand.run(rest, out, err), err);
            case "start-bench":
                return guarded("start-bench", () -> StartBenchCommand.run(rest, out), err);
            case "help", "-h", "--help":
                usage(out);
                return 0;
            default:
                err.println("unknown command: " + command);
                usage(err);
                return 2;
        }
    }

    @FunctionalInterface
    private interface Command {
        int run() throws Exception;
    }

    /** Runs a checkpoint command: bad options exit 2, a failed checkpoint, dedup or restore exits 1. */
    private static int guarded(String name, Command command, PrintStream err) throws Exception {
        try {
            return command.run();
        } catch (IllegalArgumentException e) {
            err.println(name + ": " + e.getMessage());
            return 2;
        } catch (java.io.IOException | org.medes.criu.tool.CriuUnavailableException e) {
            err.println(name + ": " + e.getMessage());
            return 1;
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: ./medes <command>");
        out.println("  demo [--runtime python|node] [--runs N] [--threads T]");
        out.println("         deduplicate a live worker against another instance and restore it (the default command)");
        out.println("  " + SimulateCommand.USAGE);
        out.println("         compare keep-alive / keep-dedup policies on a simulated cluster (default: the paper's setup)");
        out.println("  " + CheckpointCommand.USAGE);
        out.println("         dump a process with CRIU (root; keep DIR on /dev/shm)");
        out.println("  " + DedupCommand.USAGE);
        out.println("         deduplicate a CRIU checkpoint against base checkpoints into FILE and FILE.criu/");
        out.println("  " + RestoreCommand.USAGE);
        out.println("         rebuild the checkpoint of a dedup image (same bases, same order); --start restores it");
        out.println("  " + CorpusCommand.USAGE);
        out.println("         checkpoint N live workers per function and runtime into DIR, listed in DIR/corpus.csv (root)");
        out.println("  " + CompareCommand.USAGE);
        out.println("         store a checkpoint's pages with every engine (medes, the paper's, ksm, lz4, zstd, xdelta3...) side by side");
        out.println("  " + StartBenchCommand.USAGE);
        out.println("         cold start, plain CRIU restore and dedup start of a Python/numpy worker, medians (root)");
        out.println("  help   this text");
    }
}
