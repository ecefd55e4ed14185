package org.medes.criu.checkpoint;

import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;
import org.medes.criu.image.CriuImageWriter;
import org.medes.criu.image.EntryFile;
import org.medes.criu.image.ImageHeader;
import org.medes.criu.image.Pagemap;
import org.medes.criu.image.PagemapEntry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of a deduplicated checkpoint: the dedup image {@code NAME} and, beside it in
 * {@code NAME.criu/}, every file of the CRIU image directory but the raw pages ({@code pages-*.img})
 * and CRIU's logs. Stateless.
 */
final class CheckpointFiles {
    /** Suffix of the directory of CRIU files kept beside a dedup image. */
    static final String CRIU_FILES_SUFFIX = ".criu";

    private CheckpointFiles() {
    }

    /** Where the CRIU files of dedup image {@code dedupFile} are kept. */
    static Path criuFilesOf(Path dedupFile) {
        return dedupFile.resolveSibling(dedupFile.getFileName() + CRIU_FILES_SUFFIX);
    }

    static boolean isRawPages(String name) {
        return name.startsWith("pages-") && name.endsWith(".img");
    }

    private static boolean isLog(String name) {
        return name.endsWith(".log");
    }

    /** Creates {@code dir}, which must be absent or empty. */
    static void createEmptyDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            if (ds.iterator().hasNext()) {
                throw new CheckpointException(dir + " is not empty");
            }
        }
    }

    /** Deletes the files of {@code dir} (best effort: a failure to delete one is not reported). */
    static void emptyDir(Path dir) {
        try {
            for (Path f : list(dir)) {
                Files.deleteIfExists(f);
            }
        } catch (IOException ignored) {
            // the directory is gone or unreadable: nothing more to clean
        }
    }

    /** Copies the regular files of {@code from} but raw pages and logs into the empty or absent {@code to}. */
    static void copyWithoutPages(Path from, Path to) throws IOException {
        createEmptyDir(to);
        for (Path f : list(from)) {
            String name = f.getFileName().toString();
            if (!isRawPages(name) && !isLog(name) && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                Files.copy(f, to.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    /** Deletes the raw pages files of {@code dir}; returns how many bytes they held. */
    static long deleteRawPages(Path dir) throws IOException {
        long bytes = 0;
        for (Path f : list(dir)) {
            if (isRawPages(f.getFileName().toString())) {
                bytes += Files.size(f);
                Files.delete(f);
            }
        }
        return bytes;
    }

    private static List<Path> list(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(out::add);
        }
        out.sort(null);
        return out;
    }

    /**
     * The {@code pagemap-PID.img} files of {@code dir} by pid, one per process with memory
     * (shared-memory pagemaps, {@code pagemap-shmem-*}, are not process pagemaps).
     */
    static java.util.SortedMap<Integer, Path> pagemaps(Path dir) throws IOException {
        java.util.SortedMap<Integer, Path> found = new java.util.TreeMap<>();
        for (Path f : list(dir)) {
            String name = f.getFileName().toString();
            if (name.startsWith("pagemap-") && name.endsWith(".img")) {
                String pid = name.substring("pagemap-".length(), name.length() - ".img".length());
                if (!pid.matches("[0-9]{1,9}")) {
                    throw new CheckpointException(f + ": not a process pagemap (shared memory is not supported)");
                }
                found.put(Integer.parseInt(pid), f);
            }
        }
        return found;
    }

    /**
     * The dedup image of process {@code pid} of a checkpointed tree whose first process (in
     * pstree order) is in {@code dedupFile}: {@code FILE.pid-PID} beside it.
     */
    static Path imageOf(Path dedupFile, int pid) {
        return dedupFile.resolveSibling(dedupFile.getFileName() + ".pid-" + pid);
    }

    /**
     * The dedup image of process {@code pid}, the {@code index}-th process with memory (pstree
     * order, from 0) of a checkpoint deduplicated into {@code dedupFile}: {@code dedupFile} itself
     * for the first, {@link #imageOf(Path, int)} for the others.
     */
    static Path imageOf(Path dedupFile, int index, int pid) {
        return index == 0 ? dedupFile : imageOf(dedupFile, pid);
    }

    /** One process of a deduplicated checkpoint: its dedup image and its pagemap among the CRIU files. */
    record ProcessImage(int pid, Path image, Path pagemap) {
    }

    /**
     * The processes of {@code dedupFile}'s checkpoint, in pstree order: the first process with
     * memory has its dedup image in {@code dedupFile}, every other one in {@link #imageOf}; each
     * has its pagemap among {@code criuFiles}.
     */
    static List<ProcessImage> images(Path dedupFile, Path criuFiles) throws IOException {
        java.util.SortedMap<Integer, Path> maps = pagemaps(criuFiles);
        List<ProcessImage> out = new ArrayList<>();
        for (org.medes.criu.image.PstreeEntry e : org.medes.criu.image.CriuImageDir.readPstree(criuFiles)) {
            Path pagemap = maps.get(e.pid());
            if (pagemap != null) {
                out.add(new ProcessImage(e.pid(), imageOf(dedupFile, out.size(), e.pid()), pagemap));
            }
        }
        if (out.size() != maps.size()) {
            throw new CheckpointException(criuFiles + " holds pagemaps of pids " + maps.keySet()
                    + " that pstree.img does not all list");
        }
        return out;
    }

    /**
     * Rewrites each process pagemap of {@code dir}, the top of a dump on top of pre-dumps, as the
     * pagemap of a whole dump: each entry whose pages are in a parent image (PE_PARENT) becomes
     * present, the others stay as they are (CRIU's entry boundaries are kept), so that a pages file
     * holding every page of the dump in address order (what a restore writes) matches it. The head
     * (the pages file id) is kept.
     */
    static void flattenPagemaps(Path dir) throws IOException {
        for (java.util.Map.Entry<Integer, Path> m : pagemaps(dir).entrySet()) {
            Pagemap old = readPagemap(m.getValue());
            List<PagemapEntry> entries = new ArrayList<>();
            for (PagemapEntry e : old.entries()) {
                entries.add(e.inParentImage() ? PagemapEntry.of(e.vaddr(), e.pageCount(),
                        (e.flagsEffective() & ~PagemapEntry.PE_PARENT) | PagemapEntry.PE_PRESENT) : e);
            }
            CriuImageWriter.writePagemap(dir, m.getKey(), old.head(), entries);
        }
    }

    /** Reads a pagemap file, with or without the head magic (CRIU 4 writes it, img_version 2). */
    static Pagemap readPagemap(Path file) throws IOException {
        boolean headMagic = false;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            if (ch.read(b, 0) == 4) {
                headMagic = b.getInt(0) == ImageHeader.IMG_COMMON_MAGIC;
            }
        }
        return Pagemap.from(EntryFile.read(file, ImageHeader.Kind.PAGEMAP, headMagic));
    }

    /** The {@code pages-N.img} of {@code pagemap} in {@code dir}. */
    static Path pagesFile(Path dir, Pagemap pagemap) {
        return dir.resolve("pages-" + Integer.toUnsignedString(pagemap.head().pagesId()) + ".img");
    }

    /**
     * Checks that pages {@code 0..count)} of image {@code id}, at addresses {@code vaddrOf}, are
     * exactly the present pages of {@code pagemap} in its order (so page {@code k} is the
     * {@code k}-th page of its {@code pages-N.img}).
     */
    static void checkPageOrder(Pagemap pagemap, String id, int count, java.util.function.IntToLongFunction vaddrOf)
            throws CheckpointException {
        int k = 0;
        for (PagemapEntry e : pagemap.entries()) {
            if (e.inParentImage()) {
                throw new CheckpointException(pagemap.path() + ": pages at 0x" + Long.toHexString(e.vaddr())
                        + " are in a parent image; dedup checkpoints have no parent");
            }
            if (!e.present()) {
                continue;
            }
            for (long j = 0; j < e.pageCount(); j++, k++) {
                long vaddr = e.vaddr() + (j << PageSize.SHIFT);
                if (k >= count || vaddrOf.applyAsLong(k) != vaddr) {
                    throw new CheckpointException("rebuilt image " + id + " page " + k + " should be at 0x"
                            + Long.toHexString(vaddr) + " as in " + pagemap.path());
                }
            }
        }
        if (k != count) {
            throw new CheckpointException("rebuilt image " + id + " has " + count + " pages, " + pagemap.path() + " stores " + k);
        }
    }
}
