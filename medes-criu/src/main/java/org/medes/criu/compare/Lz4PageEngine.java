package org.medes.criu.compare;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.medes.core.page.PageSize;

import java.io.IOException;

/**
 * {@code lz4}: every target page compressed alone with LZ4 (lz4-java's fastest implementation,
 * fast compressor); the base is not used.
 *
 * <p>Stored form, counted byte for byte: per page a u16 length, then that many bytes of LZ4 block,
 * or 4096 raw bytes when the length is 4096 (LZ4 did not make the page smaller).
 *
 * <p>Thread-safety: one thread at a time.
 */
final class Lz4PageEngine implements CompareEngine {
    static final String NAME = "lz4";
    private static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();
    private final LZ4Compressor compressor = FACTORY.fastCompressor();
    private final LZ4SafeDecompressor decompressor = FACTORY.safeDecompressor();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Encoded encode(ComparePair pair) {
        byte[] target = pair.targetPages();
        int pages = target.length / PageSize.BYTES;
        byte[] block = new byte[compressor.maxCompressedLength(PageSize.BYTES)];
        ByteSink out = new ByteSink(target.length / 2);
        for (int p = 0; p < pages; p++) {
            int off = p * PageSize.BYTES;
            int n = compressor.compress(target, off, PageSize.BYTES, block, 0, block.length);
            if (n < PageSize.BYTES) {
                out.putShort(n);
                out.put(block, 0, n);
            } else {
                out.putShort(PageSize.BYTES);
                out.put(target, off, PageSize.BYTES);
            }
        }
        return out.toStored();
    }

    @Override
    public DecodedPages decode(ComparePair pair, Encoded encoded) throws IOException {
        ByteSource in = new ByteSource((StoredBytes) encoded, NAME);
        byte[] out = new byte[Math.toIntExact(pair.rawBytes())];
        int pages = out.length / PageSize.BYTES;
        for (int p = 0; p < pages; p++) {
            int n = in.getShort();
            if (n > PageSize.BYTES) {
                throw in.error("page " + p + " has length " + n);
            }
            int at = in.skip(n);
            if (n == PageSize.BYTES) {
                System.arraycopy(in.array(), at, out, p * PageSize.BYTES, PageSize.BYTES);
                continue;
            }
            int got;
            try {
                got = decompressor.decompress(in.array(), at, n, out, p * PageSize.BYTES, PageSize.BYTES);
            } catch (LZ4Exception e) {
                throw new IOException(NAME + ": page " + p + ": malformed LZ4 block at offset " + at + ": " + e.getMessage(), e);
            }
            if (got != PageSize.BYTES) {
                throw new IOException(NAME + ": page " + p + " decodes to " + got + " bytes");
            }
        }
        if (in.hasMore()) {
            throw in.error("bytes left after " + pages + " pages");
        }
        return DecodedPages.of(out);
    }
}
