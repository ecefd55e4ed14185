package org.medes.core.base;

import java.util.List;

/** A base sandbox cannot be retired: dedup images still need its pages. */
public final class BaseInUseException extends IllegalStateException {
    private final int base;
    private final List<String> holders;

    public BaseInUseException(int base, List<String> holders) {
        super("base " + base + " is still needed by " + holders.size() + " dedup image(s): " + holders);
        this.base = base;
        this.holders = List.copyOf(holders);
    }

    public int base() {
        return base;
    }

    /** Ids of the dedup images that hold the base. */
    public List<String> holders() {
        return holders;
    }
}
