package org.medes.criu.checkpoint;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A finished {@code criu restore -d}: the tree of {@code dir} runs again, its root as {@code pid},
 * detached; {@code elapsed} is criu's run, from start to exit.
 */
public record RestoreResult(long pid, Path dir, Duration elapsed) {
}
