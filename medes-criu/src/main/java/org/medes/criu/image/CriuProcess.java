package org.medes.criu.image;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One process of an image directory: its {@code pstree.img} entry, its {@code mm-PID.img} entry
 * and its {@code pagemap-PID.img}; a process without memory images (a zombie) has neither.
 *
 * <p>Thread-safety: immutable.
 *
 * @param tree    the pstree entry
 * @param mm      the mm entry, or null
 * @param mmFile  the mm file as read, or null
 * @param pagemap the pagemap, or null
 */
public record CriuProcess(PstreeEntry tree, MmEntry mm, EntryFile mmFile, Pagemap pagemap) {
    public CriuProcess {
        Objects.requireNonNull(tree, "tree");
    }

    public int pid() {
        return tree.pid();
    }

    /** The memory areas, ascending; empty for a process without memory images. */
    public List<VmaEntry> vmas() {
        return mm == null ? List.of() : mm.vmas();
    }

    public boolean hasMemory() {
        return mm != null;
    }

    /** The mm file's path, or null. */
    public Path mmPath() {
        return mmFile == null ? null : mmFile.path();
    }
}
