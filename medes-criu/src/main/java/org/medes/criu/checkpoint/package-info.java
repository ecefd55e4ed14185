/**
 * Checkpoint, deduplicate and start live processes with CRIU.
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link org.medes.criu.checkpoint.CriuCheckpointer}: {@code dump(pid, dir, leaveRunning)}
 *       and {@code restore(dir)} (detached, the root under its old pid, read from
 *       {@code pstree.img}) through the {@code criu} command line or its RPC
 *       ({@code CriuCheckpointer.Mode}; {@link org.medes.criu.tool.Criu#binary()}); each returns
 *       how long criu ran. Failures are {@link org.medes.criu.checkpoint.CheckpointException}s
 *       naming the pid and the directory, CRIU's own message (RPC) and the last lines of
 *       {@code dump.log} / {@code restore.log}. Over RPC a dedup start spawns {@code criu swrk}
 *       before it rebuilds the pages.</li>
 *   <li>{@link org.medes.criu.checkpoint.RestoredCopy}: a copy of a leave-running checkpoint
 *       restored while the original runs, in its own PID namespace (its old pids are free there)
 *       and mount namespace (the original's directory is a bind mount of a copy directory, so the
 *       Unix socket it binds again does not take the original's).</li>
 *   <li>{@link org.medes.criu.checkpoint.StartBenchmark}: cold start, plain restore and dedup start
 *       of a Python/numpy worker in each mode ({@code ./medes start-bench}).</li>
 *   <li>{@link org.medes.criu.checkpoint.CheckpointDedup}: a checkpoint directory becomes a
 *       medes-core {@code SandboxImage} ({@link org.medes.criu.image.CriuImageDir}), is
 *       deduplicated against base checkpoints ({@code addBase}), and is kept as a dedup image
 *       {@code FILE} plus {@code FILE.criu/}: every file of the checkpoint but
 *       {@code pages-*.img} and CRIU's logs. The raw pages are deleted once the dedup image has
 *       been written and read back.</li>
 *   <li>{@link org.medes.criu.checkpoint.DedupStart}: {@code rebuild(FILE, dir)} checks and rebuilds
 *       every page ({@code DedupEngine.restore}) before it writes anything, then copies
 *       {@code FILE.criu/} into {@code dir} and writes {@code pages-N.img} in pagemap order
 *       (byte-identical to the dump's); {@code start} adds the CRIU restore. A missing or changed
 *       base page stops it before CRIU runs, with the page and the reason
 *       ({@code PageRestoreException} as the cause); the dedup image is never touched.
 *       {@code startStreamed(FILE, dir)} writes no image directory: a
 *       {@link org.medes.criu.checkpoint.StreamedRestore} ({@code criu restore --stream}) reads
 *       every file from an {@link org.medes.criu.tool.ImageStreamer} in this JVM, the CRIU files
 *       from {@code FILE.criu/} and {@code pages-N.img} block by block as the engine rebuilds and
 *       checks them; a page that cannot be rebuilt stops the file short and CRIU fails before the
 *       process runs. {@code prepareStreamed(dir)} starts that CRIU ahead of need.</li>
 *   <li>{@link org.medes.criu.checkpoint.FunctionWorker}: the stateful function workers —
 *       Python/numpy ({@code workers/worker.py}), Node.js ({@code workers/worker.js}, run with
 *       {@code UV_USE_IO_URING=0}: CRIU cannot dump an io_uring instance) and Java
 *       ({@code workers/Worker.java}, compiled once, run with {@code -XX:-UsePerfData} so no
 *       hsperfdata file another JVM may delete is part of the image, plus a small serial-GC heap)
 *       — started so that CRIU can dump them, invoked over a Unix domain socket.</li>
 * </ul>
 *
 * <h2>What a dumpable process looks like here</h2>
 * Its own session ({@code setsid}); stdio on {@code /dev/null} or files, never a terminal (no
 * {@code --shell-job}); no children outside the dumped tree; no established TCP connections. On
 * Linux &gt;= 6.16 CRIU 4.1.1 cannot dump even a <em>listening</em> inet socket
 * ({@code getsockopt(SO_PASSCRED)} now fails on inet sockets: "sockets: Can't get 1:16 opt:
 * Operation not supported"), so the worker listens on a Unix domain socket bound to a path, which
 * dumps and restores as it is. A restore needs the root's old pid free: dump without
 * {@code --leave-running} kills the process, and its parent must reap it before the restore
 * ({@code restore} refuses, naming the pid, while anything holds it). A file the process has open
 * must have the size it had at dump time when restored (CRIU checks), so a worker's stdout is best
 * {@code /dev/null}. Images belong on tmpfs ({@code /dev/shm}). CRIU's
 * {@code rlimit: Can't setup RLIMIT_NOFILE} log line is harmless.
 *
 * <h2>Scope</h2>
 * A checkpoint of a process tree gets one dedup image per process with memory: the first (in
 * pstree order) in {@code FILE}, the others in {@code FILE.pid-PID} beside it, all started
 * together; {@code CheckpointDedup.addBases} makes each process of a tree a base. A dump on top of pre-dumps ({@code criu dump
 * --prev-images-dir}) is read through its parent chain and kept as one whole dump: the kept
 * pagemap lists every page as present and the parent link is dropped, so the chain may be deleted
 * once the dedup image is written. Bases are
 * identified by the order they were added to {@code BaseSandboxes}: rebuilding needs the same
 * base checkpoints added in the same order (a different base is caught page by page by its
 * checksum).
 */
package org.medes.criu.checkpoint;
