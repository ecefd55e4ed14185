package org.medes.criu.compare;

import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;

/**
 * Pages a {@link CompareEngine} rebuilt, in the target's page order.
 *
 * <p>Thread-safety: read by one thread; {@link #close()} frees what it holds.
 */
public interface DecodedPages extends AutoCloseable {

    int pageCount();

    /** Copies page {@code page} into {@code dst[off..off+4096)}. */
    void copyPage(int page, byte[] dst, int off);

    @Override
    default void close() {
    }

    /** Pages laid out back to back in {@code data} (length a multiple of 4096). */
    static DecodedPages of(byte[] data) {
        if (data.length % PageSize.BYTES != 0) {
            throw new IllegalArgumentException("decoded page data of " + data.length + " bytes is not whole pages");
        }
        return new DecodedPages() {
            @Override
            public int pageCount() {
                return data.length / PageSize.BYTES;
            }

            @Override
            public void copyPage(int page, byte[] dst, int off) {
                System.arraycopy(data, page * PageSize.BYTES, dst, off, PageSize.BYTES);
            }
        };
    }

    /** The pages of {@code image}, closed with it. */
    static DecodedPages of(SandboxImage image) {
        return new DecodedPages() {
            @Override
            public int pageCount() {
                return image.pageCount();
            }

            @Override
            public void copyPage(int page, byte[] dst, int off) {
                image.copyPage(page, dst, off);
            }

            @Override
            public void close() {
                image.close();
            }
        };
    }
}
