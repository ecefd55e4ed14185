package org.medes.core.base;

/** A base sandbox or one of its pages cannot be read: unknown, retired, or its node is unreachable. */
public class BasePageUnavailableException extends Exception {
    private final int base;
    private final int page;

    /** For a whole base; {@link #page()} is then -1. */
    public BasePageUnavailableException(int base, String reason) {
        this(base, -1, reason, null);
    }

    public BasePageUnavailableException(int base, int page, String reason, Throwable cause) {
        super((page < 0 ? "base " + base : "page " + page + " of base " + base) + ": " + reason, cause);
        this.base = base;
        this.page = page;
    }

    public int base() {
        return base;
    }

    /** The page, or -1 when the whole base is unavailable. */
    public int page() {
        return page;
    }
}
