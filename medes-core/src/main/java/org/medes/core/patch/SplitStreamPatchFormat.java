package org.medes.core.patch;

/**
 * Byte layout of a {@link SplitStreamPatchCodec} patch, version 1.
 *
 * <p>The page is 512 little-endian 8-byte words. The <em>window</em> has 1024 words: {@code w[0..512)}
 * is the predicted page {@code p} (each base word passed through {@link PointerRelocation#relocate}),
 * {@code w[512..1024)} is the target page {@code t} being rebuilt. Ops produce target words in order;
 * {@code i} is the index of the next target word. The patch is split into streams so that each is
 * read by a simple loop.
 *
 * <pre>
 * Patch
 *  +--------+---------+----------+----------+------------------------------------------------+
 *  | head   | matches | litWords | [bodyLen | body: control | displacements | descriptors |  |
 *  | varint | varint  | varint   |  varint  |       ctrlLen | 2 * matches   | litWords    |  |
 *  |        |         |          |  if LZ4] |       literal bytes (the rest)                 |
 *  +--------+---------+----------+----------+------------------------------------------------+
 *  head = ctrlLen &lt;&lt; 1 | lz4; lz4 = 0: the body follows as it is, to the end of the patch;
 *  lz4 = 1: the rest of the patch is one LZ4 block decoding to exactly bodyLen body bytes.
 *  varint: LEB128, at most {@value #MAX_VARINT_BYTES} bytes.
 *
 * Control: one token per sequence of up to 262 literal words then a run of up to 262 words,
 * followed by an extension byte for each field that is 7 (literal count first)
 *    7   6   5   4   3   2   1   0
 *  +-----------+-------+-----------+
 *  |  lits     | kind  |     n     |   field 7: 7 + the extension byte (7..262)
 *  +-----------+-------+-----------+
 *  first lits literal words, each with the next descriptor byte
 *                  7   6   5   4   3   2   1   0
 *                +---+---+---+-------+-----------+
 *                | 0 | 0 | s |  ref  |  m code   |   m = m code, except m code 7: m = 8
 *                +---+---+---+-------+-----------+
 *                x = the next m literal bytes, little-endian (x's other bytes are zero);
 *                r by ref: 0 p[i+k]   1 w[512 + i + k - d] (the last displacement)
 *                          2 t[i+k-1] (p[511] for the first word)   3 zero
 *                s = 0: t[i+k] = r XOR x;  s = 1: t[i+k] = r + unzigzag(x)
 *  then n words by kind:
 *  kind 0 SAME   t[i+k] = p[i+k]
 *  kind 1 ZERO   t[i+k] = 0
 *  kind 2 REP    t[i+k] = w[512 + i + k - d], copied forward word by word, d the last
 *                displacement (512 before the first MATCH)
 *  kind 3 MATCH  d := next displacement (u16 little-endian, 1 &lt;= d &lt;= 512 + i), then as REP
 * Words after the last token are SAME.
 * </pre>
 *
 * The control, displacement and descriptor streams must be used up exactly, and so must the
 * literal bytes.
 *
 * <p>Thread-safety: constants only.
 */
final class SplitStreamPatchFormat {
    static final int VERSION = 1;

    static final int LIT_SHIFT = 5;
    static final int KIND_SHIFT = 3;
    static final int KIND_MASK = 3;
    static final int FIELD_MASK = 7;
    static final int FIELD_EXTENDED = 7;
    /** Most literal words, and longest run, one token (with its extension bytes) can carry. */
    static final int MAX_FIELD_RUN = FIELD_EXTENDED + 255;

    static final int SAME = 0;
    static final int ZERO = 1;
    static final int REP = 2;
    static final int MATCH = 3;

    static final int DESC_BYTES_MASK = 0x07;
    static final int DESC_REF_SHIFT = 3;
    static final int DESC_SUB_BIT = 0x20;
    /** Descriptor bits that must be zero. */
    static final int DESC_RESERVED = 0xC0;
    static final int REF_PREDICTED = 0;
    static final int REF_REP = 1;
    static final int REF_PREVIOUS = 2;
    static final int REF_ZERO = 3;

    static final int WORDS = 512;
    static final int WINDOW_WORDS = 2 * WORDS;
    /** Displacement before the first MATCH: the predicted word at the same index. */
    static final int INITIAL_DISPLACEMENT = WORDS;

    static final int MAX_VARINT_BYTES = 2;
    /** Upper bounds of the streams: three control, two displacement, one descriptor and eight literal bytes per word. */
    static final int MAX_CONTROL_BYTES = 3 * WORDS;
    static final int MAX_LITERAL_BYTES = 8 * WORDS;
    static final int MAX_BODY_BYTES = MAX_CONTROL_BYTES + 2 * WORDS + WORDS + MAX_LITERAL_BYTES;

    private SplitStreamPatchFormat() {
    }
}
