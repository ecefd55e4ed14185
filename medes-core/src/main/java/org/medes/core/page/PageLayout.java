package org.medes.core.page;

import java.util.List;

/** Where the pages of an image sit: its mappings and the addresses of its present pages. */
public interface PageLayout {
    List<Mapping> mappings();

    int pageCount();

    /** Virtual address of page {@code page}. */
    long pageVaddr(int page);

    /** Index in {@link #mappings()} of the mapping holding page {@code page}. */
    int pageMapping(int page);

    /** Index of the page at {@code vaddr}, or -1 when absent. */
    int findPage(long vaddr);
}
