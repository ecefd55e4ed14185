package org.medes.rdma;

import java.util.Arrays;

/**
 * A batch could not be read in full: names why, the region and the pages concerned. The caller's
 * buffer holds undefined bytes; nothing of the batch may be used.
 */
public final class PageFetchException extends Exception {

    /** Why a read failed. */
    public enum Reason {
        /** The server has no region with that id (never registered, or unregistered). */
        UNKNOWN_REGION,
        /** A page index outside the region. */
        OUT_OF_RANGE,
        /** The access key does not match the region's. */
        WRONG_KEY,
        /** The connection was refused: shared secret mismatch or protocol error. */
        AUTHENTICATION,
        /** The batch's deadline passed before it was read in full. */
        DEADLINE,
        /** The server could not be reached, died or closed the connection. */
        CONNECTION,
        /** The fetcher or the server was closed. */
        CLOSED,
        /** The request itself is malformed (destination too small, too many pages). */
        BAD_REQUEST
    }

    private final Reason reason;
    private final long region;
    private final int[] pages;

    public PageFetchException(Reason reason, long region, int[] pages, String detail, Throwable cause) {
        super(reason + ": region " + region + " pages " + describe(pages) + (detail == null ? "" : ": " + detail), cause);
        this.reason = reason;
        this.region = region;
        this.pages = pages.clone();
    }

    public Reason reason() {
        return reason;
    }

    /** The first region concerned. */
    public long region() {
        return region;
    }

    /** Pages of {@link #region()} that were not read. */
    public int[] pages() {
        return pages.clone();
    }

    private static String describe(int[] pages) {
        if (pages.length <= 16) {
            return Arrays.toString(pages);
        }
        return Arrays.toString(Arrays.copyOf(pages, 16)).replace("]", ", ... (" + pages.length + " pages)]");
    }
}
