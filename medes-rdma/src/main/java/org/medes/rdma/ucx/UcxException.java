package org.medes.rdma.ucx;

/** A UCX call failed; carries its {@code ucs_status_t}. */
public final class UcxException extends RuntimeException {
    private final int status;

    public UcxException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The {@code ucs_status_t} of the failed call. */
    public int status() {
        return status;
    }
}
