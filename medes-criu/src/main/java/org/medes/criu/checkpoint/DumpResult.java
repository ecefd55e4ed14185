package org.medes.criu.checkpoint;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A finished {@code criu dump}: process {@code pid} checkpointed into {@code dir} in
 * {@code elapsed} (criu's run, from start to exit), left running or not.
 */
public record DumpResult(long pid, Path dir, boolean leftRunning, Duration elapsed) {
}
