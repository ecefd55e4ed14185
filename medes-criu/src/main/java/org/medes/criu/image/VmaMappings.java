package org.medes.criu.image;

import org.medes.core.page.Mapping;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Checks a process's VMAs and turns them into medes-core {@link Mapping}s. */
final class VmaMappings {
    private VmaMappings() {
    }

    /** Fails unless the VMAs are page aligned, non-empty, ascending and disjoint. */
    static void validate(Path mmFile, List<VmaEntry> vmas) throws CriuImageFormatException {
        VmaEntry prev = null;
        for (VmaEntry v : vmas) {
            if (((v.start() | v.end()) & (ImageLimits.PAGE_BYTES - 1)) != 0) {
                throw new CriuImageFormatException(mmFile, -1, v + " is not page aligned");
            }
            // the signed comparison also rejects an area crossing 2^63, which no process has
            if (v.end() - v.start() <= 0 || Long.compareUnsigned(v.end(), v.start()) <= 0) {
                throw new CriuImageFormatException(mmFile, -1, v + " is empty or wraps the address space");
            }
            if (prev != null && Long.compareUnsigned(v.start(), prev.end()) < 0) {
                throw new CriuImageFormatException(mmFile, -1, v + " overlaps or precedes " + prev);
            }
            prev = v;
        }
    }

    /** Fails unless every page of every pagemap entry lies in some VMA. */
    static void checkCovered(Pagemap pagemap, List<VmaEntry> vmas) throws CriuImageFormatException {
        int j = 0;
        for (int i = 0; i < pagemap.entries().size(); i++) {
            PagemapEntry e = pagemap.entries().get(i);
            long cur = e.vaddr();
            long left = e.pageCount();
            while (left > 0) {
                while (j < vmas.size() && Long.compareUnsigned(vmas.get(j).end(), cur) <= 0) {
                    j++;
                }
                if (j == vmas.size() || !vmas.get(j).contains(cur)) {
                    throw new CriuImageFormatException(pagemap.path(), pagemap.entryFileOffset(i),
                            "page 0x" + Long.toHexString(cur) + " lies outside every VMA");
                }
                long take = Math.min(left, (vmas.get(j).end() - cur) >>> ImageLimits.PAGE_SHIFT);
                cur += take << ImageLimits.PAGE_SHIFT;
                left -= take;
            }
        }
    }

    /** The mapping of a VMA: protection from prot and MAP_SHARED, a pseudo name from its status. */
    static Mapping toMapping(VmaEntry v) {
        return toMapping(v, Map.of());
    }

    /**
     * As {@link #toMapping(VmaEntry)}, a file mapping named by its file's path in {@code files}
     * (file id to path, {@link RegFileNames}), or {@code file:<id>} when the id is not there.
     */
    static Mapping toMapping(VmaEntry v, Map<Long, String> files) {
        int prot = ((v.prot() & VmaEntry.PROT_READ) != 0 ? Mapping.READ : 0)
                | ((v.prot() & VmaEntry.PROT_WRITE) != 0 ? Mapping.WRITE : 0)
                | ((v.prot() & VmaEntry.PROT_EXEC) != 0 ? Mapping.EXEC : 0)
                | ((v.flags() & VmaEntry.MAP_SHARED) != 0 ? Mapping.SHARED : 0);
        int s = v.status();
        boolean file = (s & (VmaEntry.VMA_FILE_PRIVATE | VmaEntry.VMA_FILE_SHARED)) != 0;
        String name;
        if ((s & VmaEntry.VMA_AREA_HEAP) != 0) {
            name = "[heap]";
        } else if ((s & VmaEntry.VMA_AREA_STACK) != 0) {
            name = "[stack]";
        } else if ((s & VmaEntry.VMA_AREA_VDSO) != 0) {
            name = "[vdso]";
        } else if ((s & VmaEntry.VMA_AREA_VVAR) != 0) {
            name = "[vvar]";
        } else if ((s & VmaEntry.VMA_AREA_VSYSCALL) != 0) {
            name = "[vsyscall]";
        } else if (file) {
            String path = files.get(v.shmid());
            name = path != null && !path.isEmpty() ? path : "file:" + Long.toUnsignedString(v.shmid());
        } else {
            name = "";
        }
        return new Mapping(v.start(), v.end() - v.start(), prot, name, file ? v.pgoff() : 0);
    }
}
