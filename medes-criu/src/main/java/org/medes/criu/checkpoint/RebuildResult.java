package org.medes.criu.checkpoint;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A CRIU image directory rebuilt from a dedup image: {@code dir} holds the kept CRIU files and the
 * rebuilt {@code pages-N.img}. Phases: {@code readImage} (open and check the dedup image),
 * {@code rebuildPages} (the engine's restore, every page checked against its checksum),
 * {@code writeImage} (CRIU files copied, pages written).
 */
public record RebuildResult(Path dir, String id, int pages, long bytes, Duration readImage, Duration rebuildPages,
                            Duration writeImage) {

    /** Page bytes rebuilt per second of the engine's phase, in MB (10^6 B) per second. */
    public double rebuildMbPerSecond() {
        return bytes / 1e6 / Math.max(1e-9, rebuildPages.toNanos() / 1e9);
    }

    public Duration total() {
        return readImage.plus(rebuildPages).plus(writeImage);
    }
}
