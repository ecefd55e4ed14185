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
            case "help", "-h", "--help":
                usage(out);
                return 0;
            default:
                err.println("unknown command: " + command);
                usage(err);
                return 2;
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: ./medes <command>");
        out.println("  demo [--runtime python|node] [--runs N] [--threads T]");
        out.println("         deduplicate a live worker against another instance and restore it (the default command)");
        out.println("  " + SimulateCommand.USAGE);
        out.println("         compare keep-alive / keep-dedup policies on a simulated cluster (default: the paper's setup)");
        out.println("  help   this text");
    }
}
