package org.medes.core.patch;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/** The LZ4 block compressor and bounds-checked decompressor shared by the codecs. */
final class Lz4 {
    static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();
    static final LZ4Compressor COMPRESSOR = FACTORY.fastCompressor();
    static final LZ4SafeDecompressor DECOMPRESSOR = FACTORY.safeDecompressor();

    private Lz4() {
    }

    /**
     * Decompresses exactly {@code expected} bytes from {@code src[off..off+len)} into
     * {@code dst[dstOff..)}.
     *
     * @throws PatchFormatException when the block is malformed or decodes to another length
     */
    static void decompressExactly(byte[] src, int off, int len, byte[] dst, int dstOff, int expected, String what)
            throws PatchFormatException {
        int n;
        try {
            n = DECOMPRESSOR.decompress(src, off, len, dst, dstOff, expected);
        } catch (LZ4Exception | IndexOutOfBoundsException e) {
            throw new PatchFormatException(what + ": malformed LZ4 block of " + len + " bytes at offset " + off
                    + " (" + e.getMessage() + ")");
        }
        if (n != expected) {
            throw new PatchFormatException(what + ": LZ4 block at offset " + off + " decodes to " + n
                    + " bytes, expected " + expected);
        }
    }
}
