package org.medes.criu.compare;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictContentType;
import com.github.luben.zstd.ZstdException;

import java.io.IOException;

/**
 * {@code zstd-patch-from}: the technique of {@code zstd --patch-from=BASE}: the target's page data
 * compressed at level 3 with the base's page data as reference, the window large enough to reach
 * all of the base and the target ({@code windowLog} = ceil(log2(base + target)), at least 20) and
 * long-distance matching on, as the CLI sets them for a large patch. The decoder loads the same base
 * and allows that window. Stored: the frame's length. Loading (digesting) the base is part of every
 * encode and decode.
 *
 * <p>zstd-jni 1.5.7 has no {@code refPrefix} (what the CLI uses), so the base is loaded as a
 * raw-content dictionary. zstd indexes a dictionary only up to its last
 * {@code 8 << max(hashLog, chainLog)} bytes and without long-distance matching, so hashLog and
 * chainLog are raised until that covers the base (ceil(log2(base)) - 3, between 17 and 26; 22 for a
 * 20 MiB base). On a numpy-sum checkpoint pair (20.6 MiB) this stored 3.81 MB where level 3's
 * default tables stored 4.59 MB and {@code zstd -3 --patch-from} (CLI 1.5.4) 3.47 MB: this row
 * is about 1.5 points below the CLI, and encodes slower for the larger tables.
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

    /** hashLog and chainLog for which zstd indexes a dictionary of {@code bytes} whole (it keeps {@code 8 << log}). */
    static int tableLog(long bytes) {
        int log = 64 - Long.numberOfLeadingZeros(Math.max(1, bytes - 1));
        return Math.max(17, Math.min(log - 3, 26));
    }

    @Override
    public Encoded encode(ComparePair pair) {
        byte[] base = pair.basePages();
        int w = windowLog((long) base.length + pair.rawBytes());
        try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
            ctx.setLevel(ZstdEngine.LEVEL);
            ctx.setWindowLog(w);
            ctx.setEnableLongDistanceMatching(Zstd.ParamSwitch.ENABLE);
            int tables = tableLog(base.length);
            ctx.setHashLog(tables);
            ctx.setChainLog(tables);
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
