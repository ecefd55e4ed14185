package org.medes.criu.checkpoint;

import java.time.Duration;

/** A dedup start: the image directory rebuilt, then restored by CRIU as process {@code restore.pid()}. */
public record DedupStartResult(RebuildResult rebuild, RestoreResult restore) {

    public long pid() {
        return restore.pid();
    }

    /** From opening the dedup image to criu restore's exit. */
    public Duration total() {
        return rebuild.total().plus(restore.elapsed());
    }
}
