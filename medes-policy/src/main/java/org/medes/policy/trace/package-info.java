/**
 * Traces for the policy simulator: a {@link org.medes.policy.trace.Trace} streams
 * {@link org.medes.policy.trace.Invocation}s in time order over a fixed list of
 * {@link org.medes.policy.trace.TraceFunction}s. Two sources: the public Azure Functions 2019 trace
 * ({@link org.medes.policy.trace.AzureTraceReader}) and a generator with its published shapes
 * ({@link org.medes.policy.trace.SyntheticTrace}).
 *
 * <h2>The Azure Functions 2019 trace</h2>
 *
 * The {@code AzurePublicDataset} release "Azure Functions Trace 2019" (revision 2), a sample of the
 * workload of Shahrad et al., "Serverless in the Wild", USENIX ATC 2020. Every file is plain
 * comma-separated text with a header line and no quoting; ids are HMAC-hashed and consistent
 * across files. The layouts, as the dataset's description gives them:
 * <ul>
 *   <li>{@code invocations_per_function_md.anon.dNN.csv}, NN = 01..14, one file per day:
 *       {@code HashOwner,HashApp,HashFunction,Trigger,1,2,...,1440} — the invocations of the function
 *       in each minute of the day. Trigger is one of http, timer, event, queue, storage,
 *       orchestration, others.</li>
 *   <li>{@code function_durations_percentiles.anon.dNN.csv}, 01..14:
 *       {@code HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,
 *       _1,_25,_50,_75,_99,_100} — execution time in ms without cold start; the percentiles are of
 *       30-second averages. Minimum and Maximum may be empty (read as NaN). Read by
 *       {@link org.medes.policy.trace.AzureDurations}.</li>
 *   <li>{@code app_memory_percentiles.anon.dNN.csv}, 01..12 only:
 *       {@code HashOwner,HashApp,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,_pct5,_pct25,
 *       _pct50,_pct75,_pct95,_pct99,_pct100} — committed memory per application (not per function),
 *       MB. Read by {@link org.medes.policy.trace.AzureAppMemory}.</li>
 * </ul>
 * A header must match exactly (a UTF-8 byte order mark and CRLF line ends are tolerated); every
 * line must have the header's number of columns; counts are decimal integers in [0, 2^31);
 * measures are finite numbers &gt;= 0. Anything else is a
 * {@link org.medes.policy.trace.TraceFormatException} naming file, line and column; a file that
 * cannot be opened is an {@link java.io.UncheckedIOException} naming it.
 *
 * <h3>Reading the invocation files</h3>
 * The files are given in day order; the k-th (from 0) covers minutes [1440k, 1440(k+1)) of the
 * trace. A function is identified by (HashOwner, HashApp, HashFunction) across days and keeps the
 * trigger of its first row; several rows of one function in one day are summed. An optional
 * window [fromMinute, toMinute) cuts the trace; times are then ms from the window's first minute.
 * <p>{@code build()} reads the window's files once, checking every line, to fix the function list:
 * first appearance order, filtered by a predicate on the {@code TraceFunction}, then by the total
 * invocations inside the window, then cut to the first N. This pass holds one entry per distinct
 * function seen (a few tens of thousands in the full trace), no counts. {@code invocations()} then
 * reads the files again, one day at a time, keeping only that day's non-zero (minute, function,
 * count) cells of the selected functions; one minute's invocations are materialised, sorted, and
 * emitted. No file stays open between days.
 *
 * <h3>Spreading a minute's count</h3>
 * The trace gives counts per minute, not times. A count c in minute m becomes c invocations inside
 * [m, m+1) minutes, at millisecond resolution:
 * <ul>
 *   <li>{@code UNIFORM_RANDOM} (default): each offset uniform in [0, 60000) ms, drawn from one
 *       {@link java.util.SplittableRandom} seeded by the builder, in file-row order;</li>
 *   <li>{@code EVENLY_SPACED}: the j-th of c at offset floor((2j+1)·60000 / 2c) ms, the middle of
 *       its slot (one invocation lands at 30 s).</li>
 * </ul>
 * A minute's invocations of all functions are sorted by time, ties by function index, so the
 * stream is deterministic for given files, selection and seed.
 *
 * <h2>The synthetic model</h2>
 * {@link org.medes.policy.trace.SyntheticTrace} draws each function's application, trigger and mean
 * rate from one seeded generator, and gives each function its own split-off generator for
 * arrivals. Choices, each a constant in the class:
 * <ul>
 *   <li><b>Applications</b>: the first {@code apps} functions get one application each; the rest
 *       land on application floor(apps·u²), u uniform, so low-numbered applications gather many
 *       functions (the paper: most applications have one function, a few have many). Two
 *       applications per owner.</li>
 *   <li><b>Trigger</b> by the paper's share of functions: http 55%, timer 16%, queue 15%,
 *       orchestration 7%, storage 3%, event 2%, others 2%.</li>
 *   <li><b>Rate</b>: a base rate, invocations per day, whose log10 is piecewise uniform through the
 *       anchors (0.1/day: 0%), (1/hour: 45%), (1/minute: 81%), (1/s: 97%), (100/s: 100%) — the
 *       first three from the paper's per-application CDF, the last two my choice for its tail.
 *       The base rate is multiplied by the trigger's share of invocations over its share of
 *       functions (http 0.36/0.55, queue 0.34/0.15, event 0.25/0.02, timer 0.02/0.16,
 *       orchestration 0.02/0.07, storage 0.007/0.03, others 0.01/0.02), so invocations split
 *       roughly as in the paper (http, queue, event carry ~95%), and by the builder's rate scale.
 *       With these multipliers about 50% of functions run at most once an hour and 83% at most
 *       once a minute (seed 1, 20 000 functions).</li>
 *   <li><b>Timers</b> fire periodically: the period is the round value (1 s, 5 s, ... 1 min,
 *       5 min, ... 1 h, ... 1 day, 1 week) nearest to 1/rate in log, the phase uniform in one
 *       period, each firing late by uniform [0, min(1% of the period, 1 s)).</li>
 *   <li><b>HTTP</b> is bursty: an on/off Markov-modulated Poisson process, ON 10% of the time at
 *       ten times the mean rate, mean ON length max(20 arrivals, 5 s), OFF lengths exponential with
 *       nine times that mean; inter-arrival times have a coefficient of variation well above 1.</li>
 *   <li><b>Rare</b> functions (base rate below one a day, about a fifth of them) and every other
 *       trigger arrive as a Poisson process; in a short trace most rare functions never run.</li>
 * </ul>
 * The functions' processes are merged through a heap ordered by next arrival then function index:
 * memory is proportional to the number of functions, whatever the length of the trace. Diurnal
 * swings and per-application correlation are not modelled.
 *
 * <h2>Test fixtures</h2>
 * The files under {@code src/test/resources/trace/} are hand-written in the dataset's layouts with
 * made-up names ({@code o1}, {@code a1}, {@code f1}) and counts chosen so tests can check exact
 * values; their README lists the counts. No dataset rows are checked in: the dataset is published
 * under its own licence (CC-BY) and is to be fetched by whoever runs against it.
 */
package org.medes.policy.trace;
