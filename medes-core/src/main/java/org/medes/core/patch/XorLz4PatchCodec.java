package org.medes.core.patch;

import org.medes.core.page.PageSize;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The plain fallback codec: the target page XOR the base page, LZ4-compressed. It ignores the
 * pointer relocation and content that moves inside a page.
 *
 * <p>A patch is one LZ4 block that decodes to the 4096-byte XOR of target and base.
 *
 * <p>Thread-safety: the codec is thread-safe; its encoders and decoders are not.
 */
public final class XorLz4PatchCodec implements PatchCodec {
    /** Stable id of this codec in dedup images. */
    public static final int ID = 1;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "xor-lz4";
    }

    @Override
    public PatchEncoder newEncoder() {
        return new Encoder();
    }

    @Override
    public PatchDecoder newDecoder() {
        return new Decoder();
    }

    @Override
    public String toString() {
        return name();
    }

    private static void xor(byte[] a, int aOff, byte[] b, int bOff, byte[] dst, int dstOff) {
        for (int i = 0; i < PageSize.BYTES; i += 8) {
            LONGS.set(dst, dstOff + i, (long) LONGS.get(a, aOff + i) ^ (long) LONGS.get(b, bOff + i));
        }
    }

    private static final class Encoder implements PatchEncoder {
        private final byte[] xor = new byte[PageSize.BYTES];
        private final byte[] compressed = new byte[Lz4.COMPRESSOR.maxCompressedLength(PageSize.BYTES)];

        @Override
        public int encode(byte[] target, int tOff, byte[] base, int bOff, PointerRelocation relocation,
                          byte[] out, int outOff, int maxLength) {
            Objects.checkFromIndexSize(tOff, PageSize.BYTES, target.length);
            Objects.checkFromIndexSize(bOff, PageSize.BYTES, base.length);
            xor(target, tOff, base, bOff, xor, 0);
            int n = Lz4.COMPRESSOR.compress(xor, 0, PageSize.BYTES, compressed, 0, compressed.length);
            if (n > maxLength) {
                return -1;
            }
            System.arraycopy(compressed, 0, out, outOff, n);
            return n;
        }
    }

    private static final class Decoder implements PatchDecoder {
        private final byte[] xor = new byte[PageSize.BYTES];

        @Override
        public void decode(byte[] patch, int off, int len, byte[] base, int bOff, PointerRelocation relocation,
                           byte[] dst, int dstOff) throws PatchFormatException {
            Objects.checkFromIndexSize(off, len, patch.length);
            Objects.checkFromIndexSize(bOff, PageSize.BYTES, base.length);
            Objects.checkFromIndexSize(dstOff, PageSize.BYTES, dst.length);
            Lz4.decompressExactly(patch, off, len, xor, 0, PageSize.BYTES, "xor-lz4 patch");
            xor(xor, 0, base, bOff, dst, dstOff);
        }
    }
}
