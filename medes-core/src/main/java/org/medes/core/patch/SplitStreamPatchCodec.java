package org.medes.core.patch;

import org.medes.core.page.PageSize;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

import static org.medes.core.patch.SplitStreamPatchFormat.*;

/**
 * A codec built for speed against the relocated base page: runs of words equal to the prediction
 * cost only a length; the other words are copied from the last displacement or from a word found
 * through a per-page hash of predicted and literal words, or stored as literals: the XOR or
 * difference against the prediction, the word at the last displacement, the previous word or zero,
 * keeping only the significant low bytes. Controls, displacements, literal descriptors and literal
 * bytes go to separate streams, LZ4-compressed together when that is shorter. See
 * {@link SplitStreamPatchFormat}.
 *
 * <p>Encoders and decoders allocate nothing per page; each builds a lookup index of a
 * {@link PointerRelocation} the first time it sees it.
 *
 * <p>Thread-safety: the codec is thread-safe; its encoders and decoders are not.
 */
public final class SplitStreamPatchCodec implements PatchCodec {
    /** Stable id of this codec in dedup images. */
    public static final int ID = 3;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final int HASH_BITS = 11;
    private static final int IDX_BITS = 10;
    private static final int IDX_MASK = (1 << IDX_BITS) - 1;
    private static final int MAX_EPOCH = (1 << (31 - IDX_BITS)) - 1;
    /** Bodies shorter than this are not worth an LZ4 attempt. */
    private static final int LZ4_MIN_BODY_BYTES = 256;
    /**
     * The LZ4 stage is kept only when it saves at least body / 2^this bytes: a small gain is not
     * worth the decompression time (on the Python replay, 1/8 costs 0.2 % of the saving and gains
     * about 6 % of decode speed).
     */
    private static final int LZ4_MIN_GAIN_SHIFT = 3;

    /** By descriptor m code: literal bytes stored and the mask of those bytes. */
    static final int[] BYTES = {0, 1, 2, 3, 4, 5, 6, 8};
    static final long[] MASKS = new long[8];

    /**
     * By descriptor (its six low bits): masks that select the reference (predicted, rep, previous
     * word; none for zero) and whether it is a difference, so that literals decode without branches.
     */
    static final long[] SEL_PREDICTED = new long[64];
    static final long[] SEL_REP = new long[64];
    static final long[] SEL_PREVIOUS = new long[64];
    static final long[] SEL_SUB = new long[64];

    static {
        for (int c = 0; c < 8; c++) {
            MASKS[c] = BYTES[c] == 8 ? -1L : (1L << (8 * BYTES[c])) - 1;
        }
        for (int ds = 0; ds < 64; ds++) {
            int ref = (ds >>> DESC_REF_SHIFT) & 3;
            SEL_PREDICTED[ds] = ref == REF_PREDICTED ? -1L : 0;
            SEL_REP[ds] = ref == REF_REP ? -1L : 0;
            SEL_PREVIOUS[ds] = ref == REF_PREVIOUS ? -1L : 0;
            SEL_SUB[ds] = (ds & DESC_SUB_BIT) != 0 ? -1L : 0;
        }
    }

    /** Target word from reference {@code r} and payload {@code x}: {@code r + unzigzag(x)} or {@code r ^ x}. */
    private static long apply(long r, long x, long sub) {
        return ((r + ((x >>> 1) ^ -(x & 1))) & sub) | ((r ^ x) & ~sub);
    }

    private final boolean lz4Stage;

    public SplitStreamPatchCodec() {
        this(true);
    }

    /** An encoder trade-off for measurements: whether to try the LZ4 stage (the format is the same). */
    SplitStreamPatchCodec(boolean lz4Stage) {
        this.lz4Stage = lz4Stage;
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return lz4Stage ? "split-stream" : "split-stream/no-lz4";
    }

    /** The same codec without the LZ4 stage. */
    @Override
    public PatchCodec forBlockCompression() {
        return lz4Stage ? new SplitStreamPatchCodec(false) : this;
    }

    @Override
    public PatchEncoder newEncoder() {
        return new Encoder(lz4Stage);
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
     * Writes the relocated base page to two places, rebuilding the relocation index only when the
     * relocation changes.
     */
    private static final class Predictor {
        private RelocationIndex index = new RelocationIndex(PointerRelocation.none());

        void predict(byte[] base, int bOff, PointerRelocation r, byte[] pred, byte[] copy, int copyOff) {
            if (r.size() == 0) {
                System.arraycopy(base, bOff, pred, 0, PageSize.BYTES);
                if (copy != pred) {
                    System.arraycopy(base, bOff, copy, copyOff, PageSize.BYTES);
                }
                return;
            }
            RelocationIndex ix = index;
            if (ix.relocation() != r && !ix.relocation().equals(r)) {
                ix = new RelocationIndex(r);
                index = ix;
            }
            ix.relocateWords(base, bOff, pred, 0, copy, copyOff, WORDS);
        }
    }

    private static int hash(long w) {
        return (int) ((w * 0x9E3779B97F4A7C15L) >>> (64 - HASH_BITS));
    }

    /** Significant low bytes of {@code x}, 0..8. */
    private static int significantBytes(long x) {
        return (71 - Long.numberOfLeadingZeros(x)) >>> 3;
    }

    /** Words equal from {@code a[aOff..)} and {@code b[bOff..)}, at most {@code n}. */
    private static int equalWords(byte[] a, int aOff, byte[] b, int bOff, int n) {
        int r = Arrays.mismatch(a, aOff, aOff + (n << 3), b, bOff, bOff + (n << 3));
        return r < 0 ? n : r >>> 3;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    /** Key of coding {@code x} against reference {@code ref}: larger is shorter. */
    private static int key(long x, int desc) {
        return (Long.numberOfLeadingZeros(x) << 6) | desc;
    }

    private static int varintLength(int v) {
        return v < 0x80 ? 1 : 2;
    }

    private static int putVarint(byte[] out, int p, int v) {
        if (v < 0x80) {
            out[p] = (byte) v;
            return p + 1;
        }
        out[p] = (byte) (v | 0x80);
        out[p + 1] = (byte) (v >>> 7);
        return p + 2;
    }

    static final class Encoder implements PatchEncoder {
        private final byte[] pred = new byte[PageSize.BYTES];
        private final int[] table = new int[1 << HASH_BITS];
        private final byte[] control = new byte[MAX_CONTROL_BYTES + 8];
        private final byte[] displacements = new byte[2 * WORDS];
        private final byte[] descriptors = new byte[WORDS];
        private final byte[] literals = new byte[MAX_LITERAL_BYTES + 8];
        private final byte[] body = new byte[MAX_BODY_BYTES];
        private final byte[] packed = new byte[Lz4.COMPRESSOR.maxCompressedLength(MAX_BODY_BYTES)];
        private final Predictor predictor = new Predictor();
        private final boolean lz4Stage;
        private int epoch;
        private int cp;
        private int dp;
        private int litWords;
        private int lp;
        /** Literal words coded since the last token. */
        private int pending;

        Encoder(boolean lz4Stage) {
            this.lz4Stage = lz4Stage;
        }

        @Override
        public int encode(byte[] target, int tOff, byte[] base, int bOff, PointerRelocation relocation,
                          byte[] out, int outOff, int maxLength) {
            Objects.checkFromIndexSize(tOff, PageSize.BYTES, target.length);
            Objects.checkFromIndexSize(bOff, PageSize.BYTES, base.length);
            byte[] p = pred;
            predictor.predict(base, bOff, relocation, p, p, 0);
            if (++epoch > MAX_EPOCH) {
                Arrays.fill(table, 0);
                epoch = 1;
            }
            int stamp = epoch << IDX_BITS;
            cp = 0;
            dp = 0;
            litWords = 0;
            lp = 0;
            boolean hashed = false;
            int dist = INITIAL_DISPLACEMENT;
            pending = 0;
            int i = 0;
            while (i < WORDS) {
                int o = i << 3;
                long t = (long) LONGS.get(target, tOff + o);
                long pw = (long) LONGS.get(p, o);
                if (t == pw) {
                    int n = equalWords(p, o, target, tOff + o, WORDS - i);
                    if (n == 1 && pending > 0 && i + 1 < WORDS) {
                        literal(target, tOff, i, t, pw, dist);
                        i++;
                        continue;
                    }
                    if (i + n == WORDS) {
                        if (pending > 0) {
                            run(SAME, 0);
                        }
                        break;
                    }
                    run(SAME, n);
                    i += n;
                    continue;
                }
                if (t == 0) {
                    int n = 1;
                    while (i + n < WORDS && (long) LONGS.get(target, tOff + ((i + n) << 3)) == 0) {
                        n++;
                    }
                    if (n == 1 && pending > 0) {
                        literal(target, tOff, i, t, pw, dist);
                        i++;
                        continue;
                    }
                    run(ZERO, n);
                    i += n;
                    continue;
                }
                int bestLen = 0;
                int bestDist = dist;
                int w = WORDS + i - dist;
                if (word(target, tOff, w) == t) {
                    bestLen = matchLength(target, tOff, w, i);
                }
                if (bestLen < 2) {
                    if (!hashed) {
                        for (int j = WORDS - 1; j >= 0; j--) {
                            table[hash((long) LONGS.get(p, j << 3))] = stamp | j;
                        }
                        hashed = true;
                    }
                    int e = table[hash(t)];
                    if ((e & ~IDX_MASK) == stamp) {
                        int cw = e & IDX_MASK;
                        if (word(target, tOff, cw) == t) {
                            int len = matchLength(target, tOff, cw, i);
                            if (len > bestLen) {
                                bestLen = len;
                                bestDist = WORDS + i - cw;
                            }
                        }
                    }
                }
                if (bestLen > 0) {
                    int m = Math.min(significantBytes(t ^ pw), significantBytes(t));
                    if (bestLen >= 2 || m >= (bestDist == dist ? 2 : 4)) {
                        if (bestDist == dist) {
                            run(REP, bestLen);
                        } else {
                            displacements[dp] = (byte) bestDist;
                            displacements[dp + 1] = (byte) (bestDist >>> 8);
                            dp += 2;
                            dist = bestDist;
                            run(MATCH, bestLen);
                        }
                        i += bestLen;
                        continue;
                    }
                }
                literal(target, tOff, i, t, pw, dist);
                table[hash(t)] = stamp | (WORDS + i);
                i++;
            }
            if (pending > 0) {
                run(SAME, 0);
            }
            return assemble(out, outOff, maxLength);
        }

        /** Window word {@code w}: the prediction below {@value SplitStreamPatchFormat#WORDS}, else the target. */
        private long word(byte[] target, int tOff, int w) {
            return w < WORDS ? (long) LONGS.get(pred, w << 3) : (long) LONGS.get(target, tOff + ((w - WORDS) << 3));
        }

        /** Words of the target from {@code i} equal to the window from {@code w} (copied forward). */
        private int matchLength(byte[] target, int tOff, int w, int i) {
            int len = 0;
            if (w < WORDS) {
                int lim = Math.min(WORDS - w, WORDS - i);
                len = equalWords(pred, w << 3, target, tOff + (i << 3), lim);
                if (len < lim || i + len == WORDS) {
                    return len;
                }
                w += len;
            }
            int s = w - WORDS;
            int at = i + len;
            return len + equalWords(target, tOff + (s << 3), target, tOff + (at << 3), WORDS - at);
        }

        private void literal(byte[] target, int tOff, int i, long t, long pw, int dist) {
            long rep = word(target, tOff, WORDS + i - dist);
            long prev = i == 0 ? (long) LONGS.get(pred, (WORDS - 1) << 3) : (long) LONGS.get(target, tOff + ((i - 1) << 3));
            int best = key(t ^ pw, REF_PREDICTED << DESC_REF_SHIFT);
            best = Math.max(best, key(zigzag(t - pw), (REF_PREDICTED << DESC_REF_SHIFT) | DESC_SUB_BIT));
            best = Math.max(best, key(t ^ rep, REF_REP << DESC_REF_SHIFT));
            best = Math.max(best, key(zigzag(t - rep), (REF_REP << DESC_REF_SHIFT) | DESC_SUB_BIT));
            best = Math.max(best, key(t ^ prev, REF_PREVIOUS << DESC_REF_SHIFT));
            best = Math.max(best, key(zigzag(t - prev), (REF_PREVIOUS << DESC_REF_SHIFT) | DESC_SUB_BIT));
            best = Math.max(best, key(t, REF_ZERO << DESC_REF_SHIFT));
            best = Math.max(best, key(zigzag(t), (REF_ZERO << DESC_REF_SHIFT) | DESC_SUB_BIT));
            int ds = best & 0x3F;
            long r = (pw & SEL_PREDICTED[ds]) | (rep & SEL_REP[ds]) | (prev & SEL_PREVIOUS[ds]);
            long sub = SEL_SUB[ds];
            long x = (zigzag(t - r) & sub) | ((t ^ r) & ~sub);
            int m = significantBytes(x);
            int code = m - (m >>> 3);
            LONGS.set(literals, lp, x);
            lp += BYTES[code];
            descriptors[litWords++] = (byte) (ds | code);
            pending++;
        }

        /** Emits the pending literal words, then a run of {@code n} words of {@code kind}. */
        private void run(int kind, int n) {
            int lits = pending;
            pending = 0;
            do {
                int l = Math.min(lits, MAX_FIELD_RUN);
                int k = lits > l ? 0 : Math.min(n, MAX_FIELD_RUN);
                token(l, k == 0 ? SAME : kind, k);
                lits -= l;
                n -= k;
                if (k > 0 && kind == MATCH) {
                    kind = REP;
                }
            } while (lits > 0 || n > 0);
        }

        private void token(int lits, int kind, int n) {
            byte[] ctl = control;
            ctl[cp++] = (byte) ((Math.min(lits, FIELD_EXTENDED) << LIT_SHIFT) | (kind << KIND_SHIFT)
                    | Math.min(n, FIELD_EXTENDED));
            if (lits >= FIELD_EXTENDED) {
                ctl[cp++] = (byte) (lits - FIELD_EXTENDED);
            }
            if (n >= FIELD_EXTENDED) {
                ctl[cp++] = (byte) (n - FIELD_EXTENDED);
            }
        }

        private int assemble(byte[] out, int outOff, int maxLength) {
            int bodyLen = cp + dp + litWords + lp;
            int packedLen = 0;
            boolean lz4 = false;
            if (lz4Stage && bodyLen >= LZ4_MIN_BODY_BYTES) {
                int q = 0;
                System.arraycopy(control, 0, body, q, cp);
                q += cp;
                System.arraycopy(displacements, 0, body, q, dp);
                q += dp;
                System.arraycopy(descriptors, 0, body, q, litWords);
                q += litWords;
                System.arraycopy(literals, 0, body, q, lp);
                packedLen = Lz4.COMPRESSOR.compress(body, 0, bodyLen, packed, 0, packed.length);
                lz4 = packedLen + varintLength(bodyLen) + (bodyLen >>> LZ4_MIN_GAIN_SHIFT) < bodyLen;
            }
            int head = (cp << 1) | (lz4 ? 1 : 0);
            int matches = dp >>> 1;
            int total = varintLength(head) + varintLength(matches) + varintLength(litWords)
                    + (lz4 ? varintLength(bodyLen) + packedLen : bodyLen);
            if (total > maxLength) {
                return -1;
            }
            int q = putVarint(out, outOff, head);
            q = putVarint(out, q, matches);
            q = putVarint(out, q, litWords);
            if (lz4) {
                q = putVarint(out, q, bodyLen);
                System.arraycopy(packed, 0, out, q, packedLen);
                return total;
            }
            System.arraycopy(control, 0, out, q, cp);
            q += cp;
            System.arraycopy(displacements, 0, out, q, dp);
            q += dp;
            System.arraycopy(descriptors, 0, out, q, litWords);
            q += litWords;
            System.arraycopy(literals, 0, out, q, lp);
            return total;
        }
    }

    static final class Decoder implements PatchDecoder {
        private final byte[] pred = new byte[PageSize.BYTES];
        private final byte[] body = new byte[MAX_BODY_BYTES + 8];
        private final Predictor predictor = new Predictor();
        private int pos;

        @Override
        public void decode(byte[] patch, int off, int len, byte[] base, int bOff, PointerRelocation relocation,
                           byte[] dst, int dstOff) throws PatchFormatException {
            Objects.checkFromIndexSize(off, len, patch.length);
            Objects.checkFromIndexSize(bOff, PageSize.BYTES, base.length);
            Objects.checkFromIndexSize(dstOff, PageSize.BYTES, dst.length);
            int end = off + len;
            pos = off;
            int head = varint(patch, end, "header");
            int ctrlLen = head >>> 1;
            int matches = varint(patch, end, "match count");
            int litWords = varint(patch, end, "literal count");
            if (ctrlLen > MAX_CONTROL_BYTES || matches > WORDS || litWords > WORDS) {
                throw new PatchFormatException("split-stream patch: stream sizes out of range (control " + ctrlLen
                        + ", matches " + matches + ", literals " + litWords + ")");
            }
            int lit = ctrlLen + 2 * matches + litWords;
            int bodyLen;
            byte[] s = body;
            if ((head & 1) != 0) {
                bodyLen = varint(patch, end, "body length");
                if (bodyLen < lit || bodyLen > lit + 8 * litWords) {
                    throw new PatchFormatException("split-stream patch: body length " + bodyLen + " out of range");
                }
                Lz4.decompressExactly(patch, pos, end - pos, s, 0, bodyLen, "split-stream patch");
            } else {
                bodyLen = end - pos;
                if (bodyLen < lit || bodyLen > lit + 8 * litWords) {
                    throw new PatchFormatException("split-stream patch: body of " + bodyLen + " bytes, streams need "
                            + lit + " and at most " + 8 * litWords + " literal bytes");
                }
                System.arraycopy(patch, pos, s, 0, bodyLen);
            }
            byte[] p = pred;
            predictor.predict(base, bOff, relocation, p, dst, dstOff);
            int dsp = ctrlLen;
            int desc = dsp + 2 * matches;
            int i = 0;
            int c = 0;
            int d = dsp;
            int k = desc;
            int lp = lit;
            int dist = INITIAL_DISPLACEMENT;
            while (c < dsp) {
                int tok = s[c++] & 0xFF;
                int nl = tok >>> LIT_SHIFT;
                int n = tok & FIELD_MASK;
                if (nl == FIELD_EXTENDED) {
                    if (c >= dsp) {
                        throw new PatchFormatException("split-stream patch: truncated literal count at word " + i);
                    }
                    nl += s[c++] & 0xFF;
                }
                if (n == FIELD_EXTENDED) {
                    if (c >= dsp) {
                        throw new PatchFormatException("split-stream patch: truncated run length at word " + i);
                    }
                    n += s[c++] & 0xFF;
                }
                if (nl + n > WORDS - i) {
                    throw new PatchFormatException("split-stream patch: " + nl + " literals and a run of " + n
                            + " words at word " + i + " pass the end of the page");
                }
                if (nl > 0) {
                    if (nl > lit - k) {
                        throw new PatchFormatException("split-stream patch: literal descriptors run out at word " + i);
                    }
                    long prev = i == 0 ? (long) LONGS.get(p, (WORDS - 1) << 3)
                            : (long) LONGS.get(dst, dstOff + ((i - 1) << 3));
                    for (int j = i; j < i + nl; j++) {
                        int ds = s[k++];
                        if ((ds & DESC_RESERVED) != 0) {
                            throw new PatchFormatException("split-stream patch: reserved descriptor bits at word " + j);
                        }
                        int code = ds & DESC_BYTES_MASK;
                        long x = (long) LONGS.get(s, lp) & MASKS[code];
                        lp += BYTES[code];
                        // the rep word without a branch: both loads stay in range, the sign picks one
                        int w = j - dist;
                        long inPredicted = w >> 31;
                        long rep = ((long) LONGS.get(p, ((w + WORDS) & (WORDS - 1)) << 3) & inPredicted)
                                | ((long) LONGS.get(dst, dstOff + ((w & (WORDS - 1)) << 3)) & ~inPredicted);
                        long r = ((long) LONGS.get(p, j << 3) & SEL_PREDICTED[ds]) | (rep & SEL_REP[ds])
                                | (prev & SEL_PREVIOUS[ds]);
                        prev = apply(r, x, SEL_SUB[ds]);
                        LONGS.set(dst, dstOff + (j << 3), prev);
                    }
                    i += nl;
                }
                int kind = (tok >>> KIND_SHIFT) & KIND_MASK;
                if (kind == SAME) {
                    i += n;
                    continue;
                }
                if (kind == MATCH) {
                    if (d >= desc) {
                        throw new PatchFormatException("split-stream patch: displacements run out at word " + i);
                    }
                    int v = (s[d] & 0xFF) | (s[d + 1] & 0xFF) << 8;
                    d += 2;
                    if (v < 1 || v > WORDS + i) {
                        throw new PatchFormatException("split-stream patch: displacement " + v + " at word " + i
                                + " out of range");
                    }
                    dist = v;
                }
                if (kind == ZERO) {
                    Arrays.fill(dst, dstOff + (i << 3), dstOff + ((i + n) << 3), (byte) 0);
                } else {
                    copy(dst, dstOff, i, n, dist);
                }
                i += n;
            }
            if (d != desc || k != lit || lp != bodyLen) {
                throw new PatchFormatException("split-stream patch: streams not used up (displacement bytes "
                        + (desc - d) + ", literal words " + (lit - k) + ", literal bytes " + (bodyLen - lp) + " left)");
            }
        }

        /** Copies {@code n} window words from {@code dist} words back to target word {@code i}, forward. */
        private void copy(byte[] dst, int dstOff, int i, int n, int dist) {
            int w = WORDS + i - dist;
            if (w < WORDS) {
                int seg = Math.min(n, WORDS - w);
                System.arraycopy(pred, w << 3, dst, dstOff + (i << 3), seg << 3);
                i += seg;
                n -= seg;
            }
            while (n > 0) {
                int seg = Math.min(n, dist);
                System.arraycopy(dst, dstOff + ((i - dist) << 3), dst, dstOff + (i << 3), seg << 3);
                i += seg;
                n -= seg;
            }
        }

        private int varint(byte[] b, int end, String what) throws PatchFormatException {
            int q = pos;
            if (q >= end) {
                throw new PatchFormatException("split-stream patch: truncated " + what + " at offset " + q);
            }
            int v = b[q] & 0x7F;
            if ((b[q++] & 0x80) != 0) {
                if (q >= end) {
                    throw new PatchFormatException("split-stream patch: truncated " + what + " at offset " + q);
                }
                int hi = b[q++] & 0xFF;
                if ((hi & 0x80) != 0) {
                    throw new PatchFormatException("split-stream patch: " + what + " varint too long at offset " + q);
                }
                v |= hi << 7;
            }
            pos = q;
            return v;
        }
    }
}
