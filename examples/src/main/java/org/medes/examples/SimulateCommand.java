package org.medes.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.medes.policy.FunctionProfile;
import org.medes.policy.FunctionProfiles;
import org.medes.policy.Policies;
import org.medes.policy.Policy;
import org.medes.policy.report.ChartReport;
import org.medes.policy.report.CsvReport;
import org.medes.policy.report.Headline;
import org.medes.policy.report.JsonReport;
import org.medes.policy.report.ResultTable;
import org.medes.policy.sim.Scenario;
import org.medes.policy.sim.Scenarios;
import org.medes.policy.sim.SideBySide;

/**
 * {@code ./medes simulate}: runs keep-alive / keep-dedup policies side by side over one pass of a
 * trace on a simulated cluster and prints the table (or JSON), with CSV files and PNG charts on
 * request.
 */
final class SimulateCommand {
    static final String USAGE = "simulate [--scenario paper|synthetic|azure] [--policies a,b,..] [--json]\n"
            + "           [--seed S] [--minutes M] [--rate-scale X] [--profiles FILE] [--nodes N] [--node-mb MB]\n"
            + "           [--functions N] (synthetic)  [--trace DAY.csv ...] [--durations F] [--memory F]\n"
            + "           [--limit N] [--min-invocations N] (azure)  [--csv DIR] [--charts DIR] [--quiet]";

    private SimulateCommand() {
    }

    record Options(String scenario, List<String> policies, boolean json, long seed, Integer minutes, double rateScale,
                   Path profiles, Integer nodes, Double nodeMb, int functions, List<Path> traces, Path durations,
                   Path memory, int limit, long minInvocations, Path csv, Path charts, boolean quiet) {

        static Options parse(String[] args) {
            String scenario = "paper";
            List<String> policies = Policies.names();
            boolean json = false;
            long seed = 1;
            Integer minutes = null;
            double rateScale = 1;
            Path profiles = null;
            Integer nodes = null;
            Double nodeMb = null;
            int functions = 200;
            List<Path> traces = new ArrayList<>();
            Path durations = null;
            Path memory = null;
            int limit = 0;
            long minInvocations = 1;
            Path csv = null;
            Path charts = null;
            boolean quiet = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--json" -> json = true;
                    case "--quiet" -> quiet = true;
                    default -> {
                        String v = i + 1 < args.length ? args[++i] : null;
                        if (v == null) {
                            throw new IllegalArgumentException(a + " needs a value");
                        }
                        try {
                            switch (a) {
                                case "--scenario" -> scenario = v;
                                case "--policies" -> policies = List.of(v.split(","));
                                case "--seed" -> seed = Long.parseLong(v);
                                case "--minutes" -> minutes = Integer.parseInt(v);
                                case "--rate-scale" -> rateScale = Double.parseDouble(v);
                                case "--profiles" -> profiles = Path.of(v);
                                case "--nodes" -> nodes = Integer.parseInt(v);
                                case "--node-mb" -> nodeMb = Double.parseDouble(v);
                                case "--functions" -> functions = Integer.parseInt(v);
                                case "--trace" -> traces.add(Path.of(v));
                                case "--durations" -> durations = Path.of(v);
                                case "--memory" -> memory = Path.of(v);
                                case "--limit" -> limit = Integer.parseInt(v);
                                case "--min-invocations" -> minInvocations = Long.parseLong(v);
                                case "--csv" -> csv = Path.of(v);
                                case "--charts" -> charts = Path.of(v);
                                default -> throw new IllegalArgumentException("unknown option " + a);
                            }
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException(a + " needs a number, got '" + v + "'");
                        }
                    }
                }
            }
            if (minutes != null && minutes < 1 || !(rateScale > 0) || functions < 1) {
                throw new IllegalArgumentException("--minutes, --rate-scale and --functions must be positive");
            }
            if (scenario.equals("azure") && traces.isEmpty()) {
                throw new IllegalArgumentException("--scenario azure needs --trace invocations_per_function_md.anon.dNN.csv");
            }
            return new Options(scenario, policies, json, seed, minutes, rateScale, profiles, nodes, nodeMb, functions,
                    traces, durations, memory, limit, minInvocations, csv, charts, quiet);
        }
    }

    static Scenario scenario(Options o) {
        List<FunctionProfile> profiles = o.profiles() == null ? FunctionProfiles.paperFunctionBench()
                : FunctionProfiles.read(o.profiles());
        int nodes = o.nodes() != null ? o.nodes() : Scenarios.PAPER_NODES;
        double nodeMb = o.nodeMb() != null ? o.nodeMb() : Scenarios.PAPER_NODE_MB;
        Duration minutes = Duration.ofMinutes(o.minutes() != null ? o.minutes() : 60);
        return switch (o.scenario()) {
            case "paper" -> Scenarios.paper(o.seed(), o.rateScale(), minutes, profiles).withCluster(nodes, nodeMb);
            case "synthetic" -> Scenarios.synthetic(o.seed(), o.functions(), o.rateScale(), minutes, profiles, nodes, nodeMb);
            case "azure" -> Scenarios.azure(o.traces(), o.durations(), o.memory(), o.limit(), o.minInvocations(),
                    o.seed(), profiles, nodes, nodeMb);
            default -> throw new IllegalArgumentException("unknown scenario '" + o.scenario()
                    + "' (paper, synthetic or azure)");
        };
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options o = Options.parse(args);
        List<Policy> policies = new ArrayList<>();
        for (String name : o.policies()) {
            policies.add(Policies.create(name.strip()));
        }
        Scenario s = scenario(o);
        if (!o.json()) {
            out.println("Scenario " + s.name() + ": " + s.description());
        }
        SideBySide.Progress progress = o.quiet() ? SideBySide.Progress.NONE
                : (fraction, n, eps) -> err.printf(Locale.ROOT, "\rsimulated %3.0f %% of the trace, %d invocations, %.0f requests/s ",
                100 * fraction, n, eps);
        SideBySide.Comparison c = s.run(policies, progress);
        if (!o.quiet()) {
            err.println();
        }
        if (o.json()) {
            out.println(JsonReport.format(c));
        } else {
            out.print(ResultTable.format(c));
            headlines(c, out);
        }
        if (o.csv() != null) {
            List<Path> files = CsvReport.write(c, o.csv());
            if (!o.json()) {
                out.println("CSV: " + files);
            }
        }
        if (o.charts() != null) {
            List<Path> files = ChartReport.write(c, o.charts());
            if (!o.json()) {
                out.println("charts: " + files);
            }
        }
        return 0;
    }

    private static void headlines(SideBySide.Comparison c, PrintStream out) {
        List<String> names = c.results().stream().map(r -> r.policy()).toList();
        for (String mine : List.of("medes", "medes-budget")) {
            if (!names.contains(mine)) {
                continue;
            }
            for (String base : List.of("fixed", "adaptive")) {
                if (names.contains(base)) {
                    out.println(Headline.of(c.result(mine), c.result(base)).describe());
                }
            }
        }
        if (names.contains("medes") && (names.contains("fixed") || names.contains("adaptive"))) {
            out.println("paper (EuroSys 2022): up to 2.25x / 2.75x better end-to-end latency and 1.85x / 6.2x fewer"
                    + " cold starts than fixed / adaptive keep-alive");
        }
    }
}
