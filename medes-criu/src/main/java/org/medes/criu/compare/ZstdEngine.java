package org.medes.criu.compare;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

import java.io.IOException;

/**
 * {@code zstd}: the target's page data, all pages back to back, as one zstd frame at level 3
 * (zstd-jni, one thread); the base is not used. Stored: the frame's length.
 *
 * <p>Thread-safety: one thread at a time.
 */
final class ZstdEngine implements CompareEngine {
    static final String NAME = "zstd";
    static final int LEVEL = 3;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Encoded encode(ComparePair pair) {
        try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
            ctx.setLevel(LEVEL);
            byte[] frame = ctx.compress(pair.targetPages());
            return new StoredBytes(frame, frame.length);
        }
    }

    @Override
    public DecodedPages decode(ComparePair pair, Encoded encoded) throws IOException {
        StoredBytes s = (StoredBytes) encoded;
        try (ZstdDecompressCtx ctx = new ZstdDecompressCtx()) {
            return DecodedPages.of(ctx.decompress(s.bytes(), 0, s.length(), Math.toIntExact(pair.rawBytes())));
        } catch (ZstdException e) {
            throw new IOException(NAME + ": frame of " + s.length() + " bytes does not decode: " + e.getMessage(), e);
        }
    }
}
