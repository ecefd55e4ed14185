package org.medes.criu.checkpoint;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One checkpoint deduplicated: the dedup image, the directory of CRIU files kept beside it, what
 * was saved, and how long each phase took ({@code readPages}: the checkpoint's pages into memory;
 * {@code dedup}: the engine; {@code write}: the dedup image and the CRIU files).
 */
public record CheckpointDedupResult(Path dedupFile, Path criuFiles, String id, int pages, long rawBytes,
                                    long storedBytes, double savedFraction, boolean rawPagesDeleted,
                                    Duration readPages, Duration dedup, Duration write) {

    /** Raw page bytes deduplicated per second of the engine's phase, in MB (10^6 B) per second. */
    public double dedupMbPerSecond() {
        return rawBytes / 1e6 / Math.max(1e-9, dedup.toNanos() / 1e9);
    }

    public Duration total() {
        return readPages.plus(dedup).plus(write);
    }
}
