/**
 * Patches: a 4 KiB target page encoded against a base page of another sandbox.
 *
 * <p>{@link org.medes.core.patch.PatchCodecs} lists the codecs by the stable id written into
 * dedup images. {@link org.medes.core.patch.PointerAwarePatchCodec} (id 2, the default) models
 * what differs between two instances of one function: ASLR moves every mapping by its own offset,
 * so each base word that points into a base mapping is first moved by that mapping's offset
 * ({@link org.medes.core.patch.PointerRelocation}); the relocated base page predicts the target
 * word at the same index; content that moved inside the page is found by word-granular LZ
 * matching against the relocated base page and the part of the target already coded (one small
 * hash table of words, stamped per page instead of cleared); the words left are literals coded
 * as the XOR or difference against the best of sixteen references (the prediction, the word at
 * the last match's displacement, target words 1..8, 12, 16, 24 and 32 back, the last literal,
 * zero), keeping only their significant low bytes, or as "the same pointer shift as the last
 * literal". The encoder tries the difference only against the prediction, the rep word and the
 * previous word, and the XOR against the other references only when those three leave more than
 * one payload byte (branch-free, the largest key wins); the
 * fuller and the cheaper searches, and leaving out the LZ4 stage, are package-private trade-offs
 * that {@code PatchCodecSurvey} measures side by side. Runs of up to two predicted, zero or
 * rep-position words inside a literal run stay literals (one byte each, a reference without
 * payload): no longer than the op plus the literal token after it, and ~40 % fewer ops. The op
 * stream is then LZ4-compressed when that is shorter; streams under 256 bytes are not tried (LZ4
 * saved them 0.5-24 bytes a page). Relocation goes through
 * {@code RelocationIndex}: unmoved ranges dropped, one compare against the overall range first,
 * the last range hit remembered, a bitmap of hashed 2 MiB granules before the table's probes.
 * When the base page's {@link org.medes.core.patch.PointerMarks} are given (a local base keeps
 * them: one bit per word whose value lies in the base's mappings, joined across gaps under
 * 1 MiB, which is as far as {@link org.medes.core.patch.PointerRelocation#spanningGaps} joins
 * ranges) the page is copied in one go and only the marked words are looked up; the patch and
 * the decoded page are the same either way. The byte layout is drawn in
 * {@code PointerAwarePatchFormat}. {@link org.medes.core.patch.SplitStreamPatchCodec} (id 3) is
 * the same model laid out for speed ({@code SplitStreamPatchFormat}): runs of predicted words,
 * copies at the last or a hashed displacement and literals against four references, in separate
 * control, displacement, descriptor and literal-byte streams, LZ4-compressed together when that
 * is shorter. {@link org.medes.core.patch.XorLz4PatchCodec} (id 1) is the plain fallback: XOR
 * with the base, then LZ4.
 *
 * <p>Speed (JMH {@code PatchBenchmark}, one core, {@code -f 3}): pointer-aware encodes at ~0.55 GB/s
 * on real pages and ~1.1 GB/s on synthetic ones, and decodes at ~2.1 and ~1.8 GB/s, short of the 1
 * and 3 GB/s targets. The real corpus is two fresh Python processes per fork and differs from fork
 * to fork (patches of 390-560 KB per 1024 pages, encode 0.55-1.2 GB/s), so compare several forks,
 * A and B back to back. Per page (real, timed inside the codec): encode ~0.9 us relocating the base
 * page, ~0.75 us loading the target and hashing the predicted words, ~3.5 us ops and literal
 * search, ~0.65 us LZ4; decode ~0.15 us LZ4, ~0.9 us relocating, ~1 us ops. On the synthetic pages
 * relocation is ~1.75 us of ~2.2 (pointers spread over five mappings miss the last-range cache on a
 * quarter of the words). The same 32 synthetic pages decoded over and over reach ~3.5 GB/s
 * (in-process timing), so at 1024 pages branch history and cache misses likely weigh more than
 * instruction count.
 *
 * <p>Dedup images whose payload blocks are compressed with zstd (the engine's default) take
 * patches from {@link org.medes.core.patch.PatchCodec#forBlockCompression()}: for pointer-aware,
 * the same format with literals only against the prediction and zero and no LZ4 stage, which
 * zstd compresses better (XORs against the prediction repeat from page to page) and which encodes
 * at ~1.1 GB/s and decodes at ~2.8 GB/s on real pages (JMH {@code PatchBenchmark},
 * {@code codec=pointer-aware/block}, three forks).
 *
 * <p>Tried and measured not to help (neutral or slower): relocating only the base words an op
 * reads; a branch-free two-entry relocation cache; branch-free masks for the last-range and
 * overall-range tests (decode -5 to -15 %); a one-probe granule table for relocation (collision-free
 * multiplier found when the index is built), with or without the range branch (slower on real
 * pages); reading one word of every cache line of the base and target pages first (synthetic
 * decode 1790 -> 1391 MB/s); chunked 8-word copies instead of arraycopy; 256-entry literal header
 * tables in the decoder; the pure-Java LZ4 decompressor; arithmetic instead of a table for literal
 * byte counts; other tie-breaks between equal references; shortening the literal search's
 * loop-carried chain through the last difference to three compares and two selects (same output);
 * one rarely taken branch for the word-hash probe instead of nested ones; bitmasks of words equal
 * to the prediction or zero, runs found by trailing-zero counts (encode -7 %); a LIT op's headers
 * grouped before its payloads (no faster, +0.4 to +0.6 points of patch bytes); skipping the far
 * references from two or three payload bytes left instead of one (at most +4 % encode, 0.0-0.3
 * points);
 * skipping LZ4 when literal payload dominates the op stream (no predictor: such pages still saved
 * 600-775 bytes); relocation tested with arithmetic masks only, the lookup taken only when the
 * last range missed (numpy checkpoint pair 2.32 against 2.51 GB/s decode), and in two passes, a
 * branch-free copy noting the words in range, then lookups of those alone (2.16 against 2.58;
 * again on the numpy checkpoint pair, relocation alone: 1.01 against 1.20 M pages/s). What did
 * pay is knowing the candidates beforehand: the base's pointer marks (above). With the marks, a
 * second remembered range (the one hit before the last) stayed within the error (decode 722 / 503 /
 * 346 against 719 / 520 / 365 K pages/s on the numpy, node and java checkpoint pairs, two forks);
 * comparing a long run of predicted words with {@code Arrays.mismatch} sped the numpy encode up
 * (324 to 363-393 K pages/s) and slowed java wordcount's (144 to 130-135 K), whose runs are short.
 * A decoder literal loop without per-literal bounds checks, taken when the whole run fits before
 * the end: decode 926 / 542 / 404 against 921 / 577 / 410 K pages/s (nothing).
 * Joining relocation ranges of one delta across their gaps ({@code PointerRelocation#spanningGaps},
 * done when mappings are aligned) gave +7 % decode on a fixed Python page set. Dropping the far literal references saves ~1.5 points (Python) to ~6 points
 * (Node) less for little speed; dropping the LZ4 stage costs ~5-9 points for ~0.1 GB/s encode.
 * A relocation with no lookup table when at most four ranges move, each word tested against all of
 * them without a branch: decode unchanged on the numpy, node and java checkpoint pairs (2402 vs
 * 2341, 1523 vs 1551, 1337 vs 1388 MB/s). The block codec's literals coded only as XOR against the
 * prediction (no difference, no zero reference): java encode 553 to 641 MB/s, but 0.03-0.3 points
 * less saved on the six worker pairs. A direct-mapped memo (1024 slots) of the range each looked-up
 * 4 KiB page of addresses falls in, in front of the granule lookup (the numpy pair's relocation has
 * 89 ranges of distinct deltas): decode 2424 vs 2585, 1538 vs 1603, 1175 vs 1474 MB/s, and the
 * numpy restore 1474 / 1461 against 1398 / 1463 MB/s in two A/B runs: no gain. Of the numpy
 * pair's base words only 16 % fall in the overall span of the relocation, but 73 % of the lookups
 * those words need find no range (data such as integers below 10^9 lies between the heap and the
 * mmap area); testing a word against four clusters of ranges before its lookup (kept) gave decode
 * +3 to +9 % on the numpy, node and java checkpoint pairs in two A/B runs, while the same test in
 * place of the one overall compare (every word pays it) was 4-10 % slower. A branch-free binary
 * search over the sorted range starts (a fixed number of load-and-select steps) in place of the
 * granule table's probe and scan, behind the same granule bitmap: no faster once exact
 * ({@code PatchBenchmark.decode} with marks, numpy 846-932 against 924-990 K pages/s, node
 * typed-sum 479-529 against 525-560, java wordcount unchanged). A first version seemed 20-38 %
 * faster; it compared addresses as signed numbers, and every process has one mapping above 2^63,
 * the kernel's [vsyscall] page, which is in the cover of a base's {@link
 * org.medes.core.patch.PointerMarks}: that version left most pointers unmarked, so it relocated
 * fewer words (the round trips stayed exact: encoder and decoder shared the wrong marks).
 *
 * <p>Decoders are exact and bounds-checked: a truncated or corrupt patch raises
 * {@link org.medes.core.patch.PatchFormatException}; it may also decode to a wrong page, which
 * the engine's per-page checksums catch. Encoders and decoders hold all their scratch space and
 * allocate nothing per page. {@code PatchCodecSurvey} (test scope) measures the codecs on two live
 * processes of one program.
 */
package org.medes.core.patch;
