package org.medes.core.patch;

/** A patch that cannot be decoded: truncated, corrupt or from an unknown codec. */
public final class PatchFormatException extends Exception {
    public PatchFormatException(String message) {
        super(message);
    }
}
