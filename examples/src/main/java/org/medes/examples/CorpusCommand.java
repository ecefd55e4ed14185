package org.medes.examples;

import org.medes.criu.checkpoint.CriuCheckpointer;
import org.medes.criu.checkpoint.DumpResult;
import org.medes.criu.checkpoint.FunctionWorker;
import org.medes.criu.image.CriuImageDir;
import org.medes.criu.image.CriuProcess;
import org.medes.criu.tool.FileTrees;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./medes corpus --out DIR [--instances N] [--runtime python,node,java] [--functions F,...]}:
 * a corpus of real checkpoints for dedup experiments. For every function of every runtime asked
 * for (default: all of them), starts N instances (default 2) with inputs 1..N, invokes each
 * {@value #INVOCATIONS} times, and dumps each with CRIU, ending it, into
 * {@code DIR/RUNTIME-FUNCTION/I/} (I from 0); the worker's own directory (socket, worker file,
 * stderr), which a restore needs, is {@code DIR/RUNTIME-FUNCTION/worker-I/}. Writes
 * {@code DIR/corpus.csv}, one line per checkpoint (columns in {@link #CSV_HEADER}; dir relative to
 * DIR; pages are the stored pages of the dump, dump_ms criu's run), and prints a table. Refuses to
 * run with ASLR off ({@code /proc/sys/kernel/randomize_va_space} not 2): identical layouts would
 * overstate what dedup saves. Root; keep DIR on /dev/shm and short (the socket path takes at most
 * 107 bytes). With {@code --compare} (then {@code --out} defaults to a new directory under
 * /dev/shm) it runs {@code ./medes compare} on same-function and other-function pairs of the corpus:
 * the README's main job.
 */
final class CorpusCommand {
    static final String USAGE = "corpus [--out DIR] [--instances N] [--runtime python,node,java] [--functions F,...] [--compare]";
    static final String CSV = "corpus.csv";
    static final String CSV_HEADER = "runtime,function,instance,input,pid,dir,pages,dump_ms,cold_start_ms,last_answer";
    static final int INVOCATIONS = 3;
    static final Path ASLR = Path.of("/proc/sys/kernel/randomize_va_space");
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private CorpusCommand() {
    }

    /** One checkpoint of the corpus. */
    record Entry(FunctionWorker.Runtime runtime, String function, int instance, int input, long pid, Path dir,
                 long pages, Duration dump, Duration coldStart, String lastAnswer) {
        String csv(Path root) {
            return String.join(",", runtime.id(), function, Integer.toString(instance), Integer.toString(input),
                    Long.toString(pid), root.relativize(dir).toString(), Long.toString(pages),
                    Long.toString(dump.toMillis()), Long.toString(coldStart.toMillis()), lastAnswer);
        }
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Path root = null;
        int instances = 2;
        List<FunctionWorker.Runtime> runtimes = List.of(FunctionWorker.Runtime.values());
        List<String> functions = null;
        boolean compare = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--compare" -> compare = true;
                case "--out" -> root = Path.of(CheckpointCommand.value(args, i++));
                case "--instances" -> instances = Integer.parseInt(CheckpointCommand.value(args, i++));
                case "--runtime" -> runtimes = split(CheckpointCommand.value(args, i++)).stream()
                        .map(FunctionWorker.Runtime::of).distinct().toList();
                case "--functions" -> functions = split(CheckpointCommand.value(args, i++));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (" + USAGE + ")");
            }
        }
        if (root == null && !compare) {
            throw new IllegalArgumentException("--out is required without --compare (" + USAGE + ")");
        }
        if (instances < 1) {
            throw new IllegalArgumentException("--instances must be at least 1, was " + instances);
        }
        if (compare && instances < 2) {
            throw new IllegalArgumentException("--compare needs --instances 2 or more");
        }
        boolean temporary = root == null;
        if (temporary) {
            root = FileTrees.createTempOnTmpfs("medes-corpus-");
        }
        try {
            return run(root, instances, runtimes, functions, compare, out);
        } finally {
            if (temporary) {
                // the corpus is some 250 MB of tmpfs, which is memory: not left behind
                FileTrees.delete(root);
                out.printf("%nremoved the temporary corpus %s (keep one with --out DIR)%n", root);
            }
        }
    }

    private static int run(Path root, int instances, List<FunctionWorker.Runtime> runtimes, List<String> functions,
                           boolean compare, PrintStream out) throws Exception {
        Map<FunctionWorker.Runtime, List<String>> plan = plan(runtimes, functions);
        String aslr = Files.readString(ASLR).strip();
        if (!aslr.equals("2")) {
            throw new IOException(ASLR + " is " + aslr + ", not 2 (full ASLR): every instance would have the same "
                    + "layout and dedup would look better than it is; sysctl -w kernel.randomize_va_space=2");
        }
        Path dir = root.toAbsolutePath();
        CriuCheckpointer criu = CriuCheckpointer.system();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<FunctionWorker.Runtime, List<String>> e : plan.entrySet()) {
            for (String function : e.getValue()) {
                entries.addAll(checkpoint(criu, e.getKey(), function, instances, dir));
            }
        }
        List<String> lines = new ArrayList<>(List.of(CSV_HEADER));
        entries.forEach(en -> lines.add(en.csv(dir)));
        Files.write(dir.resolve(CSV), lines, StandardCharsets.UTF_8);
        print(entries, dir, aslr, out);
        return compare ? compare(plan, dir, out) : 0;
    }

    /**
     * {@code ./medes compare} on the corpus: per function, instance 1 against instance 0 (same
     * function, another input); per runtime with two functions, the first function's instance 1
     * against the second's instance 0 (another function). The worst exit code wins.
     */
    private static int compare(Map<FunctionWorker.Runtime, List<String>> plan, Path dir,
                               PrintStream out) throws Exception {
        int code = 0;
        for (Map.Entry<FunctionWorker.Runtime, List<String>> e : plan.entrySet()) {
            String runtime = e.getKey().id();
            List<String> fs = e.getValue();
            for (String f : fs) {
                Path g = dir.resolve(runtime + "-" + f);
                out.printf("%n== %s %s: instance 1 against instance 0 (same function, another input)%n", runtime, f);
                code = Math.max(code, CompareCommand.run(new String[]{"--base", g.resolve("0").toString(),
                        "--target", g.resolve("1").toString()}, out, System.err));
            }
            if (fs.size() >= 2) {
                Path target = dir.resolve(runtime + "-" + fs.get(0)).resolve("1");
                Path base = dir.resolve(runtime + "-" + fs.get(1)).resolve("0");
                out.printf("%n== %s %s against a %s base (another function)%n", runtime, fs.get(0), fs.get(1));
                code = Math.max(code, CompareCommand.run(new String[]{"--base", base.toString(),
                        "--target", target.toString()}, out, System.err));
            }
        }
        return code;
    }

    private static List<String> split(String list) {
        List<String> out = List.of(list.split(",")).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (out.isEmpty()) {
            throw new IllegalArgumentException("empty list '" + list + "'");
        }
        return out;
    }

    /** The functions to run per runtime; every function asked for must belong to one of the runtimes. */
    static Map<FunctionWorker.Runtime, List<String>> plan(List<FunctionWorker.Runtime> runtimes, List<String> functions) {
        Map<FunctionWorker.Runtime, List<String>> plan = new LinkedHashMap<>();
        for (FunctionWorker.Runtime r : runtimes) {
            List<String> fs = functions == null ? r.functions()
                    : r.functions().stream().filter(functions::contains).toList();
            if (!fs.isEmpty()) {
                plan.put(r, fs);
            }
        }
        if (functions != null) {
            for (String f : functions) {
                if (plan.values().stream().noneMatch(fs -> fs.contains(f))) {
                    throw new IllegalArgumentException("no runtime of " + runtimes.stream()
                            .map(FunctionWorker.Runtime::id).toList() + " has function " + f + " ("
                            + runtimes.stream().map(r -> r.id() + ": " + r.functions()).toList() + ")");
                }
            }
        }
        return plan;
    }

    /** Starts {@code instances} workers of one function, invokes each, dumps each (ending it). */
    private static List<Entry> checkpoint(CriuCheckpointer criu, FunctionWorker.Runtime runtime, String function,
                                          int instances, Path root) throws IOException {
        Path group = root.resolve(runtime.id() + "-" + function);
        List<FunctionWorker> workers = new ArrayList<>();
        List<Entry> out = new ArrayList<>();
        try {
            for (int i = 0; i < instances; i++) {
                Path dir = group.resolve(Integer.toString(i));
                if (Files.exists(dir)) {
                    throw new IOException("checkpoint directory " + dir + " already exists; use a new --out");
                }
                workers.add(FunctionWorker.start(runtime, function, i + 1, group.resolve("worker-" + i), DEADLINE));
            }
            for (int i = 0; i < instances; i++) {
                FunctionWorker w = workers.get(i);
                String answer = "";
                for (int k = 0; k < INVOCATIONS; k++) {
                    answer = w.invoke();
                }
                Path dir = group.resolve(Integer.toString(i));
                DumpResult d = criu.dump(w.pid(), dir, false);
                w.awaitReaped(DEADLINE);
                out.add(new Entry(runtime, function, i, i + 1, w.pid(), dir, storedPages(dir), d.elapsed(),
                        w.coldStart(), answer));
            }
            return out;
        } finally {
            workers.forEach(FunctionWorker::close);
        }
    }

    static long storedPages(Path dir) throws IOException {
        CriuImageDir images = CriuImageDir.open(dir);
        long pages = 0;
        for (CriuProcess p : images.processes()) {
            pages += images.storedPages(p.pid());
        }
        return pages;
    }

    private static void print(List<Entry> entries, Path root, String aslr, PrintStream out) {
        out.printf("corpus of %d checkpoints in %s (%s; ASLR randomize_va_space=%s)%n", entries.size(), root, CSV, aslr);
        out.printf("%-7s %-10s %4s %6s %8s %8s %8s %8s %8s%n", "runtime", "function", "inst", "input", "pid", "pages",
                "MiB", "dump ms", "cold ms");
        for (Entry e : entries) {
            out.printf("%-7s %-10s %4d %6d %8d %8d %8.1f %8d %8d%n", e.runtime().id(), e.function(), e.instance(),
                    e.input(), e.pid(), e.pages(), e.pages() * 4096 / 1048576.0, e.dump().toMillis(),
                    e.coldStart().toMillis());
        }
    }
}
