package org.medes.core.image;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;

import java.util.Arrays;

/**
 * Compresses payload blocks for {@link DedupImageWriter} and reads them back from a
 * {@link DedupImage}, with one reusable zstd context each way. Holds native memory: close it.
 *
 * <p>Thread-safety: one thread at a time.
 */
public final class PayloadBlockCodec implements AutoCloseable {
    private final int level;
    private ZstdCompressCtx compressor;
    private ZstdDecompressCtx decompressor;
    private byte[] buffer = new byte[1 << 16];
    private boolean closed;

    /** A codec that compresses with zstd at {@code level} (1 is fast; 0 keeps blocks stored). */
    public PayloadBlockCodec(int level) {
        if (level < 0 || level > 22) {
            throw new IllegalArgumentException("zstd level must be in 0..22 (0: blocks stored), was " + level);
        }
        this.level = level;
    }

    /**
     * The block of {@code pages} pages whose payloads are {@code raw[0..rawLength)}: zstd when that
     * is shorter, else stored. The returned block owns fresh arrays.
     */
    public PayloadBlock encode(int pages, byte[] raw, int rawLength) {
        check();
        if (level > 0 && rawLength > 0) {
            if (compressor == null) {
                compressor = new ZstdCompressCtx().setLevel(level).setChecksum(false).setContentSize(true);
            }
            int bound = rawLength + (rawLength >>> 7) + 128;
            if (buffer.length < bound) {
                buffer = new byte[bound];
            }
            int n = compressor.compressByteArray(buffer, 0, buffer.length, raw, 0, rawLength);
            if (n < rawLength) {
                return new PayloadBlock(pages, DedupImageFormat.BLOCK_ZSTD, rawLength, Arrays.copyOf(buffer, n), n);
            }
        }
        return PayloadBlock.stored(pages, Arrays.copyOf(raw, rawLength), rawLength);
    }

    /**
     * Copies block {@code b} of {@code image}, decompressed, into {@code dst[0..rawLength)}.
     *
     * @throws DedupImageFormatException when the block does not decode to its raw length
     */
    public void read(DedupImage image, int b, byte[] dst) throws DedupImageFormatException {
        check();
        int raw = image.blockRawLength(b);
        int stored = image.blockStoredLength(b);
        if (dst.length < raw) {
            throw new IllegalArgumentException("block " + b + " needs " + raw + " bytes, buffer has " + dst.length);
        }
        long at = image.blockStoredAddress(b);
        if (image.blockCoding(b) == DedupImageFormat.BLOCK_STORED) {
            OffHeap.copyToArray(at, dst, 0, raw);
            return;
        }
        if (buffer.length < stored) {
            buffer = new byte[stored];
        }
        OffHeap.copyToArray(at, buffer, 0, stored);
        if (decompressor == null) {
            decompressor = new ZstdDecompressCtx();
        }
        int got;
        try {
            got = decompressor.decompressByteArray(dst, 0, raw, buffer, 0, stored);
        } catch (ZstdException e) {
            throw image.blockError(b, "malformed zstd frame (" + e.getMessage() + ")");
        }
        if (got != raw) {
            throw image.blockError(b, "zstd frame decodes to " + got + " bytes, the block table says " + raw);
        }
    }

    /** Largest raw block a reader must hold. */
    public static int maxRawBlockBytes() {
        return DedupImageFormat.MAX_BLOCK_PAGES * PageSize.BYTES;
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("payload block codec is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (compressor != null) {
                compressor.close();
            }
            if (decompressor != null) {
                decompressor.close();
            }
        }
    }
}
