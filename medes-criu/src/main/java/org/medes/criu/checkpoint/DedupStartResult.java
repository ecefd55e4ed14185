package org.medes.criu.checkpoint;

import java.time.Duration;

/**
 * A dedup start: the pages rebuilt and the process restored by CRIU as {@code restore.pid()};
 * {@code total} from opening the dedup image to criu restore's exit. In a
 * {@link DedupStart#startStreamed streamed} start the rebuild and CRIU's run overlap, so
 * {@code total} is less than their sum.
 */
public record DedupStartResult(RebuildResult rebuild, RestoreResult restore, Duration total) {

    /** A start whose phases ran one after the other. */
    public DedupStartResult(RebuildResult rebuild, RestoreResult restore) {
        this(rebuild, restore, rebuild.total().plus(restore.elapsed()));
    }

    public long pid() {
        return restore.pid();
    }
}
