package org.medes.criu.image;

import java.nio.file.Path;

/**
 * Where a run of a process's pages is stored: {@code pages} pages from {@code vaddr} sit back to
 * back in {@code pagesFile} from {@code fileOffset}, in the image {@code depth} parent links up
 * (0 for the image itself).
 */
public record PageRun(long vaddr, long pages, Path pagesFile, long fileOffset, int depth) {
    public long bytes() {
        return pages << ImageLimits.PAGE_SHIFT;
    }
}
