package org.medes.criu.image;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated {@code pagemap-PID.img}: its head and its entries, page aligned, non-empty, sorted by
 * address and not overlapping, with the offset of each entry's pages in {@code pages-N.img}
 * (only {@link PagemapEntry#PE_PRESENT} entries advance it, as in {@code criu/pagemap.c}).
 *
 * <p>Thread-safety: immutable.
 */
public final class Pagemap {
    private final EntryFile file;
    private final PagemapHead head;
    private final List<PagemapEntry> entries;
    private final long[] pagesOffset;
    private final long presentPages;

    private Pagemap(EntryFile file, PagemapHead head, List<PagemapEntry> entries, long[] pagesOffset, long presentPages) {
        this.file = file;
        this.head = head;
        this.entries = entries;
        this.pagesOffset = pagesOffset;
        this.presentPages = presentPages;
    }

    /** Decodes and validates the frames of a pagemap file. */
    public static Pagemap from(EntryFile file) throws CriuImageFormatException {
        Path path = file.path();
        List<EntryFile.Frame> frames = file.frames();
        if (frames.isEmpty()) {
            throw new CriuImageFormatException(path, file.headerBytes(), "pagemap has no pagemap_head entry");
        }
        PagemapHead head = PagemapHead.decode(frames.get(0).reader(path));
        List<PagemapEntry> entries = new ArrayList<>(frames.size() - 1);
        long[] offsets = new long[frames.size() - 1];
        long present = 0;
        long prevEnd = 0;
        for (int i = 1; i < frames.size(); i++) {
            EntryFile.Frame f = frames.get(i);
            PagemapEntry e = PagemapEntry.decode(f.reader(path));
            long n = e.pageCount();
            if ((e.vaddr() & (ImageLimits.PAGE_BYTES - 1)) != 0) {
                throw new CriuImageFormatException(path, f.offset(), "pagemap entry vaddr 0x"
                        + Long.toHexString(e.vaddr()) + " is not page aligned");
            }
            if (n <= 0 || n > ImageLimits.MAX_ENTRY_PAGES) {
                throw new CriuImageFormatException(path, f.offset(), "pagemap entry at 0x" + Long.toHexString(e.vaddr())
                        + " has " + Long.toUnsignedString(n) + " pages");
            }
            long end = e.vaddr() + (n << ImageLimits.PAGE_SHIFT);
            if (end != 0 && Long.compareUnsigned(end, e.vaddr()) <= 0) {
                throw new CriuImageFormatException(path, f.offset(), "pagemap entry at 0x" + Long.toHexString(e.vaddr())
                        + " wraps the address space");
            }
            if (i > 1 && Long.compareUnsigned(e.vaddr(), prevEnd) < 0) {
                throw new CriuImageFormatException(path, f.offset(), "pagemap entry at 0x" + Long.toHexString(e.vaddr())
                        + " overlaps or precedes the previous entry, which ends at 0x" + Long.toHexString(prevEnd));
            }
            if (end == 0 && i < frames.size() - 1) {
                throw new CriuImageFormatException(path, frames.get(i + 1).offset(),
                        "pagemap entry after one that ends at the top of the address space");
            }
            prevEnd = end;
            offsets[i - 1] = present << ImageLimits.PAGE_SHIFT;
            if (e.present()) {
                present += n;
                if (present > ImageLimits.MAX_ENTRY_PAGES) {
                    throw new CriuImageFormatException(path, f.offset(), "pagemap holds more than "
                            + ImageLimits.MAX_ENTRY_PAGES + " present pages");
                }
            }
            entries.add(e);
        }
        return new Pagemap(file, head, List.copyOf(entries), offsets, present);
    }

    public Path path() {
        return file.path();
    }

    /** The file as read, frames verbatim. */
    public EntryFile file() {
        return file;
    }

    public PagemapHead head() {
        return head;
    }

    /** Entries in ascending address order. */
    public List<PagemapEntry> entries() {
        return entries;
    }

    /** Byte offset in {@code pages-N.img} of entry {@code i}'s first page (meaningful for present entries). */
    public long pagesOffset(int i) {
        return pagesOffset[i];
    }

    /** File offset of entry {@code i}'s frame, for error messages. */
    public long entryFileOffset(int i) {
        return file.frames().get(i + 1).offset();
    }

    /** Pages stored in {@code pages-N.img}: the sum of the present entries' pages. */
    public long presentPages() {
        return presentPages;
    }

    /** Index of the first entry whose range ends above {@code vaddr}, or {@code entries().size()}. */
    int firstEndingAbove(long vaddr) {
        int lo = 0;
        int hi = entries.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(end(mid) - 1, vaddr) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** First address past entry {@code i} (0 when it ends at the top of the address space). */
    long end(int i) {
        PagemapEntry e = entries.get(i);
        return e.vaddr() + (e.pageCount() << ImageLimits.PAGE_SHIFT);
    }

    @Override
    public String toString() {
        return "Pagemap[" + file.path() + ", pages-" + Integer.toUnsignedString(head.pagesId()) + ", "
                + entries.size() + " entries, " + presentPages + " present pages]";
    }
}
