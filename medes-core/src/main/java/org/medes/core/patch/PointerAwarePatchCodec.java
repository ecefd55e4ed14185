package org.medes.core.patch;

import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

import static org.medes.core.patch.PointerAwarePatchFormat.*;

/**
 * Word-granular LZ codec against the relocated base page: the base page, its pointers moved by
 * {@link PointerRelocation}, predicts the target word at the same index; words that differ are
 * found elsewhere in the predicted page or earlier in the target (a hash of words, rebuilt per
 * page), continue the last match's displacement, or are stored as sparse XOR literals; the op
 * stream is LZ4-compressed when that makes it shorter. See {@link PointerAwarePatchFormat}.
 *
 * <p>Encoders and decoders allocate nothing per page; each builds a lookup index of a
 * {@link PointerRelocation} the first time it sees it (pass the same relocation for every page of a
 * sandbox pair).
 *
 * <p>Thread-safety: the codec is thread-safe; its encoders and decoders are not.
 */
public final class PointerAwarePatchCodec implements PatchCodec {
    /** Stable id of this codec in dedup images. */
    public static final int ID = 2;

    static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final int HASH_BITS = 11;
    private static final int IDX_BITS = 10;
    private static final int IDX_MASK = (1 << IDX_BITS) - 1;
    private static final int MAX_EPOCH = (1 << (31 - IDX_BITS)) - 1;
    /** Op streams shorter than this are not worth an LZ4 attempt. */
    private static final int LZ4_MIN_OPS = 256;
    /** Literal keys from this score on leave at most one payload byte: the far references are not tried then. */
    private static final int GOOD_ENOUGH_SCORE = 57;
    /**
     * Runs of predicted, zero or rep-position words up to this long inside a literal run stay
     * literals: each is a one-byte literal (reference with no payload), no longer than the op and
     * the literal token after it, and the decoder handles fewer ops.
     */
    private static final int ABSORB_MAX = 2;

    /**
     * How hard the encoder looks for the cheapest literal reference; every setting writes the same
     * format (the decoder does not care), trading patch size for encode speed.
     */
    enum LiteralSearch {
        /** XOR and difference against all sixteen references. */
        ALL,
        /**
         * XOR against all sixteen, difference only against the prediction, rep and t-1, and the far
         * references only when the near ones leave more than one payload byte (the default).
         */
        DEFAULT,
        /** The prediction, rep, t-1 and zero only. */
        NEAR,
        /** The prediction and zero only. */
        PREDICTION
    }

    private final LiteralSearch search;
    private final boolean lz4Stage;

    public PointerAwarePatchCodec() {
        this(LiteralSearch.DEFAULT, true);
    }

    /** An encoder trade-off for measurements: the literal search and whether to try the LZ4 stage. */
    PointerAwarePatchCodec(LiteralSearch search, boolean lz4Stage) {
        this.search = Objects.requireNonNull(search);
        this.lz4Stage = lz4Stage;
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return search == LiteralSearch.DEFAULT && lz4Stage ? "pointer-aware"
                : "pointer-aware/" + search.name().toLowerCase(java.util.Locale.ROOT) + (lz4Stage ? "" : "/no-lz4");
    }

    /**
     * Literals against the prediction and zero only, without the LZ4 stage: the op stream is left
     * to the block compression, which finds more in XORs against the prediction (they repeat from
     * page to page) than in the cheapest of sixteen references. On the project's six worker pairs
     * with zstd level 3 this saved 0.2-0.6 points more on four pairs and 0.2-0.3 less on two than
     * the default search without LZ4, and encodes faster.
     */
    @Override
    public PatchCodec forBlockCompression() {
        return new PointerAwarePatchCodec(LiteralSearch.PREDICTION, false);
    }

    @Override
    public PatchEncoder newEncoder() {
        return new Encoder(search, lz4Stage);
    }

    @Override
    public PatchDecoder newDecoder() {
        return new Decoder();
    }

    @Override
    public String toString() {
        return name();
    }

    /**
     * Fills {@code win[0..512)} with the relocated base words through a {@link RelocationIndex},
     * rebuilt only when the relocation changes (once per sandbox pair, not per page).
     */
    static final class Predictor {
        private RelocationIndex index = new RelocationIndex(PointerRelocation.none());

        void predict(byte[] base, int bOff, PointerRelocation r, long[] win) {
            predict(base, bOff, r, null, 0, win);
        }

        /** As {@link #predict(byte[], int, PointerRelocation, long[])}; only marked words are looked up when {@code marks} is given. */
        void predict(byte[] base, int bOff, PointerRelocation r, long[] marks, int marksOff, long[] win) {
            if (r.size() == 0) {
                OffHeap.copyToLongs(base, bOff, win, 0, WORDS);
                return;
            }
            RelocationIndex ix = index;
            if (ix.relocation() != r && !ix.relocation().equals(r)) {
                ix = new RelocationIndex(r);
                index = ix;
            }
            if (marks != null) {
                Objects.checkFromIndexSize(marksOff, PointerMarks.LONGS_PER_PAGE, marks.length);
                ix.relocateMarked(base, bOff, win, 0, marks, marksOff);
            } else {
                ix.relocateWords(base, bOff, win, 0, WORDS);
            }
        }
    }

    /** Key of the best of XOR, difference and same difference against {@code r}. */
    private static int full(long v, long r, long delta, int ref) {
        long d = v - r;
        // 64 when d == delta, else the significance of the zigzag difference, at most 63 (a zero
        // difference is sent as XOR 0: the same difference with no payload means "lastDelta")
        int sub = Math.max(capped(Long.numberOfLeadingZeros((d << 1) ^ (d >> 63))), same(d, delta));
        int x = Long.numberOfLeadingZeros(v ^ r);
        return Math.max((x << 8) | (ref << REF_SHIFT), (sub << 8) | (ref << REF_SHIFT) | LIT_SUB_BIT);
    }

    /** Key of the better of XOR and difference {@code d = v - r} against {@code r} (a zero difference is an XOR). */
    private static int differenceOrXor(long v, long r, long d, int ref) {
        int sub = capped(Long.numberOfLeadingZeros((d << 1) ^ (d >> 63)));
        int x = Long.numberOfLeadingZeros(v ^ r);
        return Math.max((x << 8) | (ref << REF_SHIFT), (sub << 8) | (ref << REF_SHIFT) | LIT_SUB_BIT);
    }

    /** A leading-zero count with 64 (a zero difference, sent as XOR 0) lowered to 63. */
    private static int capped(int nlz) {
        return nlz - (nlz >>> 6);
    }

    /** 64 when {@code d == delta}, else 0. */
    private static int same(long d, long delta) {
        long e = d ^ delta;
        return (int) (((e | -e) >>> 63) ^ 1) << 6;
    }

    /** Key of "the same difference as last time" when {@code d == delta}, else 0. */
    private static int sameDifference(long d, long delta, int ref) {
        int s = same(d, delta);
        return (s << 8) | (-(s >>> 6) & ((ref << REF_SHIFT) | LIT_SUB_BIT));
    }

    /** Key of XOR against {@code r}. */
    private static int xor(long v, long r, int ref) {
        return (Long.numberOfLeadingZeros(v ^ r) << 8) | (ref << REF_SHIFT);
    }

    private static int hash(long w) {
        return (int) ((w * 0x9E3779B97F4A7C15L) >>> (64 - HASH_BITS));
    }

    static final class Encoder implements PatchEncoder {
        private final LiteralSearch search;
        private final boolean lz4Stage;
        /** Predicted page, target, then the last-literal and zero slots the reference tables use. */
        private final long[] win = new long[WINDOW_WORDS + 2];
        private final int[] table = new int[1 << HASH_BITS];
        private final byte[] ops = new byte[MAX_OPS_BYTES + 16];
        private final byte[] packed = new byte[1 + 2 + Lz4.COMPRESSOR.maxCompressedLength(MAX_OPS_BYTES)];
        private final Predictor predictor = new Predictor();
        private int epoch;
        private int pos;
        private long lastLit;
        private long lastDelta;

        Encoder(LiteralSearch search, boolean lz4Stage) {
            this.search = search;
            this.lz4Stage = lz4Stage;
        }

        @Override
        public int encode(byte[] target, int tOff, byte[] base, int bOff, PointerRelocation relocation,
                          byte[] out, int outOff, int maxLength) {
            return encode(target, tOff, base, bOff, relocation, null, 0, out, outOff, maxLength);
        }

        @Override
        public int encode(byte[] target, int tOff, byte[] base, int bOff, PointerRelocation relocation,
                          long[] marks, int marksOff, byte[] out, int outOff, int maxLength) {
            Objects.checkFromIndexSize(tOff, PageSize.BYTES, target.length);
            Objects.checkFromIndexSize(bOff, PageSize.BYTES, base.length);
            long[] w = win;
            predictor.predict(base, bOff, relocation, marks, marksOff, w);
            OffHeap.copyToLongs(target, tOff, w, WORDS, WORDS);
            int stamp = nextEpoch() << IDX_BITS;
            int[] t = table;
            for (int j = WORDS - 1; j >= 0; j--) {
                // zero words go in too (one slot; zero target words never look it up)
                t[hash(w[j])] = stamp | j;
            }
            // without the LZ4 stage the op stream is the patch: stop as soon as it cannot fit
            int opsLen = encodeOps(stamp, lz4Stage ? Integer.MAX_VALUE : maxLength - 1);
            return opsLen < 0 ? -1 : pack(opsLen, out, outOff, maxLength);
        }

        /** The op stream of the last page encoded, before the LZ4 stage (for analysis). */
        byte[] lastOps() {
            return ops;
        }

        int lastOpsLength() {
            return pos;
        }

        private int nextEpoch() {
            if (++epoch > MAX_EPOCH) {
                Arrays.fill(table, 0);
                epoch = 1;
            }
            return epoch;
        }

        /** The op stream's length, or -1 as soon as it is known to exceed {@code limit} bytes. */
        private int encodeOps(int stamp, int limit) {
            long[] w = win;
            int[] t = table;
            pos = 0;
            lastLit = 0;
            lastDelta = 0;
            int disp = 0;
            int litStart = -1;
            int i = 0;
            while (i < WORDS) {
                long v = w[WORDS + i];
                long p = w[i];
                int kind = -1;
                int len = 0;
                int d = 0;
                int h = -1;
                if (v == p) {
                    len = runSame(i, 0);
                    kind = SAME;
                } else if (v == 0) {
                    len = 1;
                    while (i + len < WORDS && w[WORDS + i + len] == 0) {
                        len++;
                    }
                    kind = ZERO;
                } else {
                    if (disp != 0 && w[i + disp] == v) {
                        len = runSame(i, disp);
                        kind = REP;
                    }
                    h = hash(v);
                    int e = t[h];
                    if ((e & ~IDX_MASK) == stamp) {
                        int src = e & IDX_MASK;
                        if (src < WORDS + i && w[src] == v && src - i != disp) {
                            int l = runSame(i, src - i);
                            if (l > len + 1) {
                                len = l;
                                kind = MATCH;
                                d = src - i;
                            }
                        }
                    }
                }
                if (kind >= 0 && kind != MATCH && litStart >= 0 && len <= ABSORB_MAX
                        && (kind != REP || search != LiteralSearch.PREDICTION)) {
                    kind = -1;
                }
                if (kind < 0) {
                    if (litStart < 0) {
                        litStart = i;
                    } else if (pos + (i - litStart) > limit) {
                        return -1; // each pending literal takes at least a byte
                    }
                    if (h >= 0) {
                        t[h] = stamp | (WORDS + i);
                    }
                    i++;
                    continue;
                }
                if (litStart >= 0) {
                    literals(litStart, i, disp);
                    litStart = -1;
                }
                if (kind == MATCH) {
                    token(MATCH, len);
                    varint(zigzag(d));
                    disp = d;
                } else {
                    token(kind, len);
                    if (kind == SAME) {
                        disp = 0;
                    }
                }
                if (pos > limit) {
                    return -1;
                }
                i += len;
            }
            if (litStart >= 0) {
                literals(litStart, WORDS, disp);
            }
            return pos;
        }

        /** Words from {@code i} on equal to the window at displacement {@code d}, at least 1. */
        private int runSame(int i, int d) {
            long[] w = win;
            int n = 1;
            while (i + n < WORDS && w[WORDS + i + n] == w[i + n + d]) {
                n++;
            }
            return n;
        }

        private void literals(int from, int to, int disp) {
            if (search == LiteralSearch.PREDICTION) {
                predictionLiterals(from, to);
            } else {
                searchedLiterals(from, to, disp);
            }
        }

        /** {@link #literals} against the best of the references {@link #search} allows. */
        private void searchedLiterals(int from, int to, int disp) {
            long[] w = win;
            token(LIT, to - from);
            byte[] o = ops;
            int q = pos;
            long last = lastLit;
            long delta = lastDelta;
            for (int t = WORDS + from; t < WORDS + to; t++) {
                long v = w[t];
                long pr = w[t - WORDS];
                long rp = w[t - WORDS + disp];
                // keys: leading zeros of the payload << 8 | reference << 4 | subtract bit; the
                // largest wins. Keys that do not need the last difference come first and their
                // maxima are taken as a tree: the last difference is all one word passes the next.
                long dp = v - pr;
                long dr = v - rp;
                long d1 = v - w[t - 1];
                int best;
                if (search == LiteralSearch.ALL) {
                    best = full(v, pr, delta, REF_PREDICTED);
                    best = Math.max(best, full(v, rp, delta, REF_REP));
                    for (int ref = 2; ref <= REF_BACK_LAST; ref++) {
                        best = Math.max(best, full(v, w[t - REF_BACK[ref]], delta, ref));
                    }
                    best = Math.max(best, full(v, last, delta, REF_LAST_LITERAL));
                    best = Math.max(best, full(v, 0L, delta, REF_ZERO));
                } else {
                    int same = sameDifference(dp, delta, REF_PREDICTED);
                    int near = Math.max(differenceOrXor(v, pr, dp, REF_PREDICTED), xor(v, 0L, REF_ZERO));
                    if (search != LiteralSearch.PREDICTION) {
                        same = Math.max(same, Math.max(sameDifference(dr, delta, REF_REP), sameDifference(d1, delta, 2)));
                        near = Math.max(near, Math.max(differenceOrXor(v, rp, dr, REF_REP),
                                differenceOrXor(v, w[t - 1], d1, 2)));
                    }
                    if (search == LiteralSearch.DEFAULT && (Math.max(near, same) >>> 8) < GOOD_ENOUGH_SCORE) {
                        int a = Math.max(Math.max(xor(v, w[t - 2], 3), xor(v, w[t - 3], 4)),
                                Math.max(xor(v, w[t - 4], 5), xor(v, w[t - 5], 6)));
                        int b = Math.max(Math.max(xor(v, w[t - 6], 7), xor(v, w[t - 7], 8)),
                                Math.max(xor(v, w[t - 8], 9), xor(v, w[t - 12], 10)));
                        int c = Math.max(Math.max(xor(v, w[t - 16], 11), xor(v, w[t - 24], 12)),
                                Math.max(xor(v, w[t - 32], 13), xor(v, last, REF_LAST_LITERAL)));
                        near = Math.max(Math.max(near, a), Math.max(b, c));
                    }
                    best = Math.max(near, same);
                }
                // emit without branches: the reference through the window index tables (the last
                // literal sits in the slot after the target), XOR or difference by mask
                int code = (int) best & 0xF8;
                int rc = code >>> REF_SHIFT;
                w[LAST_LITERAL_SLOT] = last;
                long r = w[(t & REF_T_MASK[rc]) + REF_ADD[rc] + (disp & REF_DISP_MASK[rc])];
                last = v;
                long sub = -(long) ((code >>> 3) & 1);
                long d = v - r;
                long x = (((d << 1) ^ (d >> 63)) & sub) | ((v ^ r) & ~sub);
                // score 64: no payload (x is 0, or the same difference as last time)
                long payload = ((best >>> 8) - 64) >> 31;
                int n = ((71 - Long.numberOfLeadingZeros(x)) >>> 3) & (int) payload;
                int m = n + ((n >> 1) & (n >> 2) & n & 1);
                long update = sub & payload;
                delta = (d & update) | (delta & ~update);
                o[q] = (byte) (code | (n - (n >>> 3)));
                LONGS.set(o, q + 1, x);
                q += 1 + m;
            }
            lastLit = last;
            lastDelta = delta;
            pos = q;
        }

        /**
         * {@link #literals} for {@link LiteralSearch#PREDICTION}, the block codec's: the reference is
         * the prediction or zero, so it is picked by a select instead of the window index tables
         * (the same bytes). The emission below repeats {@link #searchedLiterals}'s on purpose: both
         * calling one helper for it (same bytes) measured 5-11 % slower encodes on numpy and node.
         */
        private void predictionLiterals(int from, int to) {
            long[] w = win;
            token(LIT, to - from);
            byte[] o = ops;
            int q = pos;
            long last = lastLit;
            long delta = lastDelta;
            for (int t = WORDS + from; t < WORDS + to; t++) {
                long v = w[t];
                long pr = w[t - WORDS];
                long dp = v - pr;
                int best = Math.max(Math.max(differenceOrXor(v, pr, dp, REF_PREDICTED), xor(v, 0L, REF_ZERO)),
                        sameDifference(dp, delta, REF_PREDICTED));
                int code = best & 0xF8;
                long zero = -(long) ((code >>> 7) & 1); // all ones when the reference is REF_ZERO (15), not 0
                long r = pr & ~zero;
                last = v;
                long sub = -(long) ((code >>> 3) & 1);
                long d = v - r;
                long x = (((d << 1) ^ (d >> 63)) & sub) | ((v ^ r) & ~sub);
                long payload = ((best >>> 8) - 64) >> 31;
                int n = ((71 - Long.numberOfLeadingZeros(x)) >>> 3) & (int) payload;
                int m = n + ((n >> 1) & (n >> 2) & n & 1);
                long update = sub & payload;
                delta = (d & update) | (delta & ~update);
                o[q] = (byte) (code | (n - (n >>> 3)));
                LONGS.set(o, q + 1, x);
                q += 1 + m;
            }
            lastLit = last;
            lastDelta = delta;
            pos = q;
        }

        private void token(int kind, int n) {
            if (n <= LEN_EXTENDED) {
                ops[pos++] = (byte) ((kind << KIND_SHIFT) | (n - 1));
            } else {
                ops[pos++] = (byte) ((kind << KIND_SHIFT) | LEN_EXTENDED);
                varint(n - LEN_EXTENDED_BASE);
            }
        }

        private void varint(int v) {
            if (v < 0x80) {
                ops[pos++] = (byte) v;
            } else {
                ops[pos++] = (byte) (v | 0x80);
                ops[pos++] = (byte) (v >>> 7);
            }
        }

        private int pack(int opsLen, byte[] out, int outOff, int maxLength) {
            if (lz4Stage && opsLen >= LZ4_MIN_OPS) {
                int h = 1;
                packed[0] = FLAGS_LZ4;
                if (opsLen < 0x80) {
                    packed[h++] = (byte) opsLen;
                } else {
                    packed[h++] = (byte) (opsLen | 0x80);
                    packed[h++] = (byte) (opsLen >>> 7);
                }
                int c = Lz4.COMPRESSOR.compress(ops, 0, opsLen, packed, h, packed.length - h);
                if (h + c < 1 + opsLen) {
                    if (h + c > maxLength) {
                        return -1;
                    }
                    System.arraycopy(packed, 0, out, outOff, h + c);
                    return h + c;
                }
            }
            if (1 + opsLen > maxLength) {
                return -1;
            }
            out[outOff] = FLAGS_RAW;
            System.arraycopy(ops, 0, out, outOff + 1, opsLen);
            return 1 + opsLen;
        }
    }

    /** Window slots past the target (encoder and decoder): the last literal, then a zero. */
    private static final int LAST_LITERAL_SLOT = WINDOW_WORDS;
    /** Window index of reference {@code rc} for target slot {@code tk}: (tk &amp; T) + ADD + (disp &amp; DISP). */
    private static final int[] REF_T_MASK = new int[REFS];
    private static final int[] REF_ADD = new int[REFS];
    private static final int[] REF_DISP_MASK = new int[REFS];
    private static final long[] PAYLOAD_MASK = {0, 0xFFL, 0xFFFFL, 0xFF_FFFFL, 0xFFFF_FFFFL, 0xFF_FFFF_FFFFL,
            0xFFFF_FFFF_FFFFL, 0xFF_FFFF_FFFF_FFFFL, -1L};

    static {
        for (int rc = 0; rc < REFS; rc++) {
            REF_T_MASK[rc] = rc == REF_LAST_LITERAL || rc == REF_ZERO ? 0 : -1;
            REF_ADD[rc] = switch (rc) {
                case REF_PREDICTED, REF_REP -> -WORDS;
                case REF_LAST_LITERAL -> LAST_LITERAL_SLOT;
                case REF_ZERO -> LAST_LITERAL_SLOT + 1;
                default -> -REF_BACK[rc];
            };
            REF_DISP_MASK[rc] = rc == REF_REP ? -1 : 0;
        }
    }

    static int zigzag(int v) {
        return (v << 1) ^ (v >> 31);
    }

    static final class Decoder implements PatchDecoder {
        private final long[] win = new long[WINDOW_WORDS + 2];
        private final byte[] ops = new byte[MAX_OPS_BYTES + 8];
        private final Predictor predictor = new Predictor();

        @Override
        public void decode(byte[] patch, int off, int len, byte[] base, int bOff, PointerRelocation relocation,
                           byte[] dst, int dstOff) throws PatchFormatException {
            decode(patch, off, len, base, bOff, relocation, null, 0, dst, dstOff);
        }

        @Override
        public void decode(byte[] patch, int off, int len, byte[] base, int bOff, PointerRelocation relocation,
                           long[] marks, int marksOff, byte[] dst, int dstOff) throws PatchFormatException {
            Objects.checkFromIndexSize(dstOff, PageSize.BYTES, dst.length);
            long[] w = decodeWords(patch, off, len, base, bOff, relocation, marks, marksOff);
            for (int j = 0; j < WORDS; j++) {
                LONGS.set(dst, dstOff + (j << 3), w[WORDS + j]);
            }
        }

        /** Writes the page's words straight from the window: no byte array in between. */
        @Override
        public void decodeTo(byte[] patch, int off, int len, byte[] base, int bOff, PointerRelocation relocation,
                             long dstAddress, byte[] scratch) throws PatchFormatException {
            decodeTo(patch, off, len, base, bOff, relocation, null, 0, dstAddress, scratch);
        }

        @Override
        public void decodeTo(byte[] patch, int off, int len, byte[] base, int bOff, PointerRelocation relocation,
                             long[] marks, int marksOff, long dstAddress, byte[] scratch) throws PatchFormatException {
            long[] w = decodeWords(patch, off, len, base, bOff, relocation, marks, marksOff);
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
                OffHeap.copyFromLongs(w, WORDS, dstAddress, WORDS);
            } else {
                for (int j = 0; j < WORDS; j++) {
                    OffHeap.putLong(dstAddress + ((long) j << 3), Long.reverseBytes(w[WORDS + j]));
                }
            }
        }

        /** Decodes into the window; the page is {@code win[WORDS..2 * WORDS)}, little-endian words. */
        private long[] decodeWords(byte[] patch, int off, int len, byte[] base, int bOff, PointerRelocation relocation,
                                   long[] marks, int marksOff) throws PatchFormatException {
            Objects.checkFromIndexSize(off, len, patch.length);
            Objects.checkFromIndexSize(bOff, PageSize.BYTES, base.length);
            if (len < 1) {
                throw new PatchFormatException("pointer-aware patch: empty");
            }
            int flags = patch[off] & 0xFF;
            byte[] src;
            int p;
            int end;
            if (flags == FLAGS_RAW) {
                src = patch;
                p = off + 1;
                end = off + len;
            } else if (flags == FLAGS_LZ4) {
                int q = off + 1;
                int stop = off + len;
                if (q >= stop) {
                    throw new PatchFormatException("pointer-aware patch: truncated length of LZ4 op stream");
                }
                int rawLen = patch[q] & 0x7F;
                if ((patch[q++] & 0x80) != 0) {
                    if (q >= stop) {
                        throw new PatchFormatException("pointer-aware patch: truncated length of LZ4 op stream");
                    }
                    int b = patch[q++] & 0xFF;
                    if ((b & 0x80) != 0) {
                        throw new PatchFormatException("pointer-aware patch: op stream length varint too long");
                    }
                    rawLen |= b << 7;
                }
                if (rawLen < 1 || rawLen > MAX_OPS_BYTES) {
                    throw new PatchFormatException("pointer-aware patch: op stream length " + rawLen + " out of range");
                }
                Lz4.decompressExactly(patch, q, stop - q, ops, 0, rawLen, "pointer-aware patch");
                src = ops;
                p = 0;
                end = rawLen;
            } else {
                throw new PatchFormatException("pointer-aware patch: unknown flags 0x" + Integer.toHexString(flags));
            }
            long[] w = win;
            predictor.predict(base, bOff, relocation, marks, marksOff, w);
            decodeOps(src, p, end, w);
            return w;
        }

        private static void decodeOps(byte[] s, int p, int end, long[] w) throws PatchFormatException {
            int i = 0;
            int disp = 0;
            long lastDelta = 0;
            w[LAST_LITERAL_SLOT] = 0;
            while (i < WORDS) {
                if (p >= end) {
                    throw new PatchFormatException("pointer-aware patch: op stream ends at word " + i);
                }
                int tok = s[p++] & 0xFF;
                int kind = tok >>> KIND_SHIFT;
                int n = (tok & LEN_MASK) + 1;
                if (n - 1 == LEN_EXTENDED) {
                    if (p >= end) {
                        throw new PatchFormatException("pointer-aware patch: truncated op length at word " + i);
                    }
                    int v = s[p] & 0x7F;
                    if ((s[p++] & 0x80) != 0) {
                        if (p >= end || (s[p] & 0x80) != 0) {
                            throw new PatchFormatException("pointer-aware patch: bad op length at word " + i);
                        }
                        v |= (s[p++] & 0xFF) << 7;
                    }
                    n = LEN_EXTENDED_BASE + v;
                }
                if (n > WORDS - i) {
                    throw new PatchFormatException("pointer-aware patch: op of " + n + " words at word " + i
                            + " overruns the page");
                }
                int t = WORDS + i;
                switch (kind) {
                    case SAME -> {
                        System.arraycopy(w, i, w, t, n);
                        disp = 0;
                    }
                    case ZERO -> Arrays.fill(w, t, t + n, 0L);
                    case MATCH, REP -> {
                        if (kind == MATCH) {
                            if (p >= end) {
                                throw new PatchFormatException("pointer-aware patch: truncated match at word " + i);
                            }
                            int v = s[p] & 0x7F;
                            if ((s[p++] & 0x80) != 0) {
                                if (p >= end || (s[p] & 0x80) != 0) {
                                    throw new PatchFormatException("pointer-aware patch: bad match offset at word " + i);
                                }
                                v |= (s[p++] & 0xFF) << 7;
                            }
                            int d = (v >>> 1) ^ -(v & 1);
                            if (i + d < 0 || d >= WORDS) {
                                throw new PatchFormatException("pointer-aware patch: match source " + (i + d)
                                        + " out of the window at word " + i);
                            }
                            disp = d;
                        }
                        int from = i + disp;
                        for (int k = 0; k < n; k++) {
                            w[t + k] = w[from + k];
                        }
                    }
                    case LIT -> {
                        for (int tk = t; tk < t + n; tk++) {
                            if (p >= end) {
                                throw new PatchFormatException("pointer-aware patch: truncated literal at word "
                                        + (tk - WORDS));
                            }
                            int h = s[p++] & 0xFF;
                            int nb = LIT_BYTES[h & LIT_BYTES_MASK];
                            if (nb > end - p) {
                                throw new PatchFormatException("pointer-aware patch: truncated literal at word "
                                        + (tk - WORDS));
                            }
                            long x;
                            if (p <= s.length - 8) {
                                x = (long) LONGS.get(s, p) & PAYLOAD_MASK[nb];
                            } else {
                                x = 0;
                                for (int b = 0; b < nb; b++) {
                                    x |= (long) (s[p + b] & 0xFF) << (b << 3);
                                }
                            }
                            p += nb;
                            int rc = h >>> REF_SHIFT;
                            long ref = w[(tk & REF_T_MASK[rc]) + REF_ADD[rc] + (disp & REF_DISP_MASK[rc])];
                            long sub = -(long) ((h >>> 3) & 1);
                            long update = sub & -(long) ((nb + 7) >>> 3);
                            lastDelta = (((x >>> 1) ^ -(x & 1)) & update) | (lastDelta & ~update);
                            long v = ((ref + lastDelta) & sub) | ((ref ^ x) & ~sub);
                            w[tk] = v;
                            w[LAST_LITERAL_SLOT] = v;
                        }
                    }
                    default -> throw new PatchFormatException("pointer-aware patch: unknown op kind " + kind
                            + " at word " + i);
                }
                i += n;
            }
            if (p != end) {
                throw new PatchFormatException("pointer-aware patch: " + (end - p) + " bytes after the last op");
            }
        }
    }
}
