package org.medes.criu.image;

/** Bounds this library enforces on images, so that no length from a file can exhaust memory or time. */
final class ImageLimits {
    static final int PAGE_BYTES = 4096;
    static final int PAGE_SHIFT = 12;
    /** Largest page count of one pagemap entry and of one pagemap's present pages (2^40 pages = 4 PiB). */
    static final long MAX_ENTRY_PAGES = 1L << 40;
    /** Deepest parent chain followed. */
    static final int MAX_PARENT_DEPTH = 32;

    private ImageLimits() {
    }
}
