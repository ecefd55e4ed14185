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
 * that {@code PatchCodecSurvey} measures side by side. The op
 * stream is then LZ4-compressed when that is shorter. Relocation goes through
 * {@code RelocationIndex}: unmoved ranges dropped, one compare against the overall range first,
 * the last range hit remembered. The byte layout is drawn in
 * {@code PointerAwarePatchFormat}. {@link org.medes.core.patch.SplitStreamPatchCodec} (id 3) is
 * the same model laid out for speed ({@code SplitStreamPatchFormat}): runs of predicted words,
 * copies at the last or a hashed displacement and literals against four references, in separate
 * control, displacement, descriptor and literal-byte streams, LZ4-compressed together when that
 * is shorter. {@link org.medes.core.patch.XorLz4PatchCodec} (id 1) is the plain fallback: XOR
 * with the base, then LZ4.
 *
 * <p>Speed (JMH, real pages, one core): pointer-aware encodes at ~0.6 GB/s and decodes at ~1.9
 * GB/s, short of the 1 and 3 GB/s targets. Tried and measured not to help (neutral or slower):
 * relocating only the base words an op reads; a branch-free two-entry relocation cache; chunked
 * 8-word copies instead of arraycopy; 256-entry literal header tables in the decoder; the pure-Java
 * LZ4 decompressor; arithmetic instead of a table for literal byte counts; other tie-breaks between
 * equal references. Dropping the far literal references saves ~1.5 points for no speed; dropping
 * the LZ4 stage costs ~6 points for ~0.15 GB/s encode.
 *
 * <p>Decoders are exact and bounds-checked: a truncated or corrupt patch raises
 * {@link org.medes.core.patch.PatchFormatException}; it may also decode to a wrong page, which
 * the engine's per-page checksums catch. Encoders and decoders hold all their scratch space and
 * allocate nothing per page. {@code PatchCodecSurvey} (test scope) measures the codecs on two live
 * processes of one program.
 */
package org.medes.core.patch;
