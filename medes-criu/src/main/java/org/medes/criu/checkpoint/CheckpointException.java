package org.medes.criu.checkpoint;

import java.io.IOException;

/**
 * A checkpoint, restore or dedup start failed: the message names the process and the image
 * directory and quotes the end of CRIU's log when CRIU was the one that failed.
 */
public final class CheckpointException extends IOException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
