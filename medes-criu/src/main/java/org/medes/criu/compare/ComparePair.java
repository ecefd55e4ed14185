package org.medes.criu.compare;

import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;
import org.medes.criu.checkpoint.CheckpointDedup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * A base and a target sandbox to compare engines on: both as medes-core images and as their page
 * data back to back on the heap (pages in address order), made once before any engine runs.
 *
 * <p>Thread-safety: immutable until {@link #close()}, which frees both images; idempotent.
 */
public final class ComparePair implements AutoCloseable {
    private final SandboxImage base;
    private final SandboxImage target;
    private final byte[] basePages;
    private final byte[] targetPages;

    private ComparePair(SandboxImage base, SandboxImage target) {
        this.base = Objects.requireNonNull(base, "base");
        this.target = Objects.requireNonNull(target, "target");
        this.basePages = pageData(base);
        this.targetPages = pageData(target);
    }

    /** Takes ownership of both images. */
    public static ComparePair of(SandboxImage base, SandboxImage target) {
        return new ComparePair(base, target);
    }

    /** Reads two single-process CRIU checkpoint directories ({@link CheckpointDedup#read}). */
    public static ComparePair read(Path baseDir, Path targetDir) throws IOException {
        SandboxImage base = CheckpointDedup.read(baseDir, "base " + baseDir.getFileName());
        try {
            return new ComparePair(base, CheckpointDedup.read(targetDir, "target " + targetDir.getFileName()));
        } catch (IOException | RuntimeException e) {
            base.close();
            throw e;
        }
    }

    private static byte[] pageData(SandboxImage image) {
        if (image.pageBytes() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(image.id() + " has " + image.pageBytes()
                    + " bytes of pages, more than one Java array holds");
        }
        byte[] data = new byte[(int) image.pageBytes()];
        for (int p = 0; p < image.pageCount(); p++) {
            image.copyPage(p, data, p * PageSize.BYTES);
        }
        return data;
    }

    public SandboxImage base() {
        return base;
    }

    public SandboxImage target() {
        return target;
    }

    /** The base's pages back to back; engines must not change it. */
    public byte[] basePages() {
        return basePages;
    }

    /** The target's pages back to back; engines must not change it. */
    public byte[] targetPages() {
        return targetPages;
    }

    /** Bytes of the target's page data, what every engine stores. */
    public long rawBytes() {
        return targetPages.length;
    }

    /** The first page of {@code decoded} that differs from the target's, or -1 when all match in number and bytes. */
    public int firstDifferentTargetPage(DecodedPages decoded) {
        int n = target.pageCount();
        if (decoded.pageCount() != n) {
            return Math.min(n, decoded.pageCount());
        }
        byte[] page = new byte[PageSize.BYTES];
        for (int p = 0; p < n; p++) {
            decoded.copyPage(p, page, 0);
            int at = p * PageSize.BYTES;
            if (!Arrays.equals(page, 0, PageSize.BYTES, targetPages, at, at + PageSize.BYTES)) {
                return p;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        base.close();
        target.close();
    }
}
