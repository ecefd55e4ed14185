package org.medes.core.patch;

/**
 * Byte layout of a {@link PointerAwarePatchCodec} patch, version 1.
 *
 * <p>The decoder works on a window of 1024 little-endian 8-byte words: words 0..511 are the
 * <em>predicted page</em> (each base word passed through {@link PointerRelocation#relocate}),
 * words 512..1023 are the target page being rebuilt. A patch is a sequence of ops that produce
 * target words 0..511 in order; {@code i} below is the index of the next target word.
 *
 * <pre>
 * Patch
 *   0       1
 *  +-------+---------------------------------------------------------------+
 *  | flags | body                                                          |
 *  +-------+---------------------------------------------------------------+
 *  flags = 0: body is the op stream itself
 *  flags = 1: body = varint rawLength, then one LZ4 block decoding to exactly rawLength
 *             bytes of op stream (1 .. {@value #MAX_OPS_BYTES})
 *  any other flags value is an error (reserved for later versions)
 *
 * Op (one token byte, then operands)
 *    7   6   5   4   3   2   1   0
 *  +-----------+-------------------+
 *  |   kind    |      n - 1        |   n = words produced; n - 1 = 31 means
 *  +-----------+-------------------+   n = 32 + varint that follows the token
 *
 *  kind 0 SAME     t[i+k] = p[i+k]                                 disp := 0
 *  kind 1 ZERO     t[i+k] = 0
 *  kind 2 MATCH    varint zigzag(d); src = i + d, 0 &lt;= src &lt; 512 + i;
 *                  t[i+k] = w[src+k], copied forward word by word   disp := d
 *  kind 3 REP      t[i+k] = w[i+disp+k]   (a MATCH with the last displacement)
 *  kind 4 LIT      n literal words, each one
 *                    7   6   5   4   3   2   1   0
 *                  +---------------+---+-----------+
 *                  |      ref      | s |  m code   |  then the m low bytes of x, little-endian
 *                  +---------------+---+-----------+  (x's other bytes are zero)
 *                  m code 0..6: m = 0..6 bytes; m code 7: m = 8 bytes
 *                  s = 0:         t[i+k] = r XOR x
 *                  s = 1, m &gt; 0: t[i+k] = r + (delta := unzigzag(x))
 *                  s = 1, m = 0: t[i+k] = r + delta   (the last delta, 0 at first)
 *                  r by ref: 0 p[i+k] (predicted word)    1 w[i+k+disp] (rep position)
 *                            2..9   t[i+k-1] .. t[i+k-8]
 *                            10, 11, 12, 13   t[i+k-12], t[i+k-16], t[i+k-24], t[i+k-32]
 *                            14 the last literal word decoded in this patch (0 at first)
 *                            15 zero
 *                  (t[j] for j &lt; 0 is w[512+j], the end of the predicted page)
 *  kinds 5, 6, 7   error
 *  varint:        LEB128, at most {@value #MAX_VARINT_BYTES} bytes.
 *  w = window, p = w[0..512), t = w[512..1024), disp starts at 0.
 * </pre>
 *
 * The ops must produce exactly 512 words and end exactly at the end of the op stream.
 *
 * <p>Thread-safety: constants only.
 */
final class PointerAwarePatchFormat {
    static final int VERSION = 1;

    static final int FLAGS_RAW = 0;
    static final int FLAGS_LZ4 = 1;

    static final int KIND_SHIFT = 5;
    static final int LEN_MASK = 0x1F;
    static final int LEN_EXTENDED = 31;
    static final int LEN_EXTENDED_BASE = 32;

    static final int SAME = 0;
    static final int ZERO = 1;
    static final int MATCH = 2;
    static final int REP = 3;
    static final int LIT = 4;

    static final int REF_SHIFT = 4;
    static final int LIT_SUB_BIT = 0x08;
    static final int LIT_BYTES_MASK = 0x07;
    /** Payload bytes of each 3-bit byte code, and the code of each byte count (7 is sent as 8). */
    static final int[] LIT_BYTES = {0, 1, 2, 3, 4, 5, 6, 8};
    static final int[] LIT_BYTES_CODE = {0, 1, 2, 3, 4, 5, 6, 7, 7};
    static final int REFS = 16;
    static final int REF_PREDICTED = 0;
    static final int REF_REP = 1;
    static final int REF_BACK_FIRST = 2;
    static final int REF_BACK_LAST = 13;
    static final int REF_LAST_LITERAL = 14;
    static final int REF_ZERO = 15;
    /** For references 2..13: how many words back in the target they look. */
    static final int[] REF_BACK = {0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 24, 32, 0, 0};

    /** Words in a page and offset of the target in the window. */
    static final int WORDS = 512;
    static final int WINDOW_WORDS = 2 * WORDS;

    /** Upper bound of an op stream: every word an op of its own with a 2-byte varint and 8 literal bytes. */
    static final int MAX_OPS_BYTES = WORDS * 12;

    static final int MAX_VARINT_BYTES = 2;

    private PointerAwarePatchFormat() {
    }
}
