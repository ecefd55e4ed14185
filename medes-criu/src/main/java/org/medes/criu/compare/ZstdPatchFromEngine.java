package org.medes.criu.compare;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictContentType;
import com.github.luben.zstd.ZstdException;

import java.io.IOException;

/**
 * {@code zstd-patch-from}: the technique of {@code zstd --patch-from=BASE}: the target's page data
 * compressed at level 3 with the base's page data loaded as a raw-content dictionary (zstd-jni
 * 1.5.7 has no {@code refPrefix}; a raw-content dictionary is the same reference bytes, digested
 * on load), the window large enough to reach all of the base and the target
 * ({@code windowLog} = ceil(log2(base + target)), at least 20) and long-distance matching on, as
 * the CLI sets them for a large patch. The decoder loads the same base and allows that window.
 * Stored: the frame's length. Loading (digesting) the base is part of every encode and decode.
 *
 * <p>Thread-safety: one thread at a time.
 */
final class ZstdPatchFromEngine implements CompareEngine {
    static final String NAME = "zstd-patch-from";

    @Override
    public String name() {
        return NAME;
    }

    static int windowLog(long bytes) {
        int log = 64 - Long.numberOfLeadingZeros(Math.max(1, bytes - 1));
        return Math.max(20, Math.min(log, 31));
    }

    @Override
    public Encoded encode(ComparePair pair) {
        byte[] base = pair.basePages();
        int w = windowLog((long) base.length + pair.rawBytes());
        try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
            ctx.setLevel(ZstdEngine.LEVEL);
            ctx.setWindowLog(w);
            ctx.setEnableLongDistanceMatching(Zstd.ParamSwitch.ENABLE);
            if (base.length > 0) {
                ctx.loadDict(base, ZstdDictContentType.RAW_CONTENT);
            }
            byte[] frame = ctx.compress(pair.targetPages());
            return new StoredBytes(frame, frame.length);
        }
    }

    @Override
    public DecodedPages decode(ComparePair pair, Encoded encoded) throws IOException {
        StoredBytes s = (StoredBytes) encoded;
        byte[] base = pair.basePages();
        try (ZstdDecompressCtx ctx = new ZstdDecompressCtx()) {
            ctx.setLongMax(windowLog((long) base.length + pair.rawBytes()));
            if (base.length > 0) {
                ctx.loadDict(base, ZstdDictContentType.RAW_CONTENT);
            }
            return DecodedPages.of(ctx.decompress(s.bytes(), 0, s.length(), Math.toIntExact(pair.rawBytes())));
        } catch (ZstdException e) {
            throw new IOException(NAME + ": frame of " + s.length() + " bytes does not decode against the base: "
                    + e.getMessage(), e);
        }
    }
}
