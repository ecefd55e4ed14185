/**
 * Side-by-side comparison of ways to store a checkpoint's pages given another checkpoint as base:
 * {@code ./medes compare --base DIR --target DIR [--json]}.
 *
 * <h2>Pieces</h2>
 * {@link org.medes.criu.compare.ComparePair} reads two single-process CRIU checkpoints (pages in
 * address order, also back to back on the heap). {@link org.medes.criu.compare.Compare#run} runs
 * every {@link org.medes.criu.compare.CompareEngine} on it: one warm-up round trip, then one
 * measured round trip (wall time of encode and of decode, MB/s of the target's raw page data, 10^6
 * bytes), each verified page by page; the result is a
 * {@link org.medes.criu.compare.CompareReport} (JSON or table).
 *
 * <h2>Engines ({@link org.medes.criu.compare.Compare#ENGINE_NAMES})</h2>
 * <ul>
 *   <li>{@code medes}: this project's {@code DedupEngine}, the base added as the only base
 *       sandbox; stored = the dedup image's size (metadata and checksums included).</li>
 *   <li>{@code medes-paper}: the paper's algorithm (SHA-1 windows fingerprint, most-shared-hashes
 *       base page, per-page delta kept under 4096 B, else raw); the delta is an in-Java
 *       VCDIFF-like copy/add coder standing in for {@code xdelta3 -1} per page, because starting
 *       the program costs about 7 ms per page.</li>
 *   <li>{@code ksm}: exact page merging (5 B per merged page, 4097 B per other page).</li>
 *   <li>{@code lz4}: LZ4 per page (2 B length per page).</li>
 *   <li>{@code zstd}: zstd level 3 of the whole page data.</li>
 *   <li>{@code zstd-patch-from}: zstd level 3 with the base's page data as reference (a raw-content
 *       dictionary with tables large enough to index all of it, window over base and target,
 *       long-distance matching; about 1.5 points below the CLI's {@code --patch-from}, see the
 *       class).</li>
 *   <li>{@code xdelta3}: the xdelta3 program on the whole page data, base as source; left out, with
 *       the reason on stderr, when the program is not installed.</li>
 * </ul>
 * Everything an engine builds from the base (a registry, an index, a digested dictionary) is built
 * inside its timed encode, and decode starts from the stored bytes and the base's pages only. The
 * engines but {@code medes} run on one thread; {@code medes} runs on {@code --threads} (default 1).
 */
package org.medes.criu.compare;
