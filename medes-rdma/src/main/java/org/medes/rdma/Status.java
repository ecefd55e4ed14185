package org.medes.rdma;

/** Result codes of one page read, shared by the region table and the TCP wire format. */
final class Status {
    static final byte OK = 0;
    static final byte UNKNOWN_REGION = 1;
    static final byte OUT_OF_RANGE = 2;
    static final byte WRONG_KEY = 3;
    static final byte BAD_REQUEST = 4;
    static final byte CLOSED = 5;

    private Status() {
    }

    static PageFetchException.Reason reason(int status) {
        return switch (status) {
            case UNKNOWN_REGION -> PageFetchException.Reason.UNKNOWN_REGION;
            case OUT_OF_RANGE -> PageFetchException.Reason.OUT_OF_RANGE;
            case WRONG_KEY -> PageFetchException.Reason.WRONG_KEY;
            case CLOSED -> PageFetchException.Reason.CLOSED;
            default -> PageFetchException.Reason.BAD_REQUEST;
        };
    }
}
