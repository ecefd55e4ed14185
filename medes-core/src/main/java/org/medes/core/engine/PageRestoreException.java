package org.medes.core.engine;

/**
 * A page of a dedup image could not be rebuilt exactly: its base page is missing or changed,
 * its patch is corrupt, or the rebuilt bytes do not match the page's checksum. Nothing of the
 * restore is returned; the dedup image is left as it was.
 */
public final class PageRestoreException extends Exception {
    private final String image;
    private final int page;
    private final long vaddr;

    public PageRestoreException(String image, int page, long vaddr, String reason, Throwable cause) {
        super("dedup image " + image + ", page " + page + " (0x" + Long.toHexString(vaddr) + "): " + reason, cause);
        this.image = image;
        this.page = page;
        this.vaddr = vaddr;
    }

    public String image() {
        return image;
    }

    public int page() {
        return page;
    }

    public long vaddr() {
        return vaddr;
    }
}
