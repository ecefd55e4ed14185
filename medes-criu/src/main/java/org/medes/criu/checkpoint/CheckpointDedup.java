package org.medes.criu.checkpoint;

import org.medes.core.base.BasePageUnavailableException;
import org.medes.core.base.BaseSandboxes;
import org.medes.core.engine.DedupEngine;
import org.medes.core.image.DedupImage;
import org.medes.core.image.DedupImageFormatException;
import org.medes.core.page.SandboxImage;
import org.medes.criu.image.CriuImageDir;
import org.medes.criu.image.CriuProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Deduplicates CRIU checkpoints against base checkpoints: the checkpoint's pages
 * ({@link CriuImageDir#toSandboxImage}) go through {@link DedupEngine#dedup}; the dedup image is
 * written to the given file, the checkpoint's other files are copied beside it into
 * {@code FILE.criu/} (see {@link #criuFilesOf}), and then the raw pages ({@code pages-*.img}) are
 * deleted from the checkpoint. {@link DedupStart} walks it back.
 *
 * <p>A checkpoint of a process tree gets one dedup image per process with memory ({@link #dedup});
 * {@link #read} and {@link #addBase} take one process, {@link #addBases} every process of a tree. A
 * dump on top of pre-dumps is read through its parent chain and kept as one whole dump (its
 * pagemaps list every page as present; no parent link).
 * Bases are checkpoints too ({@link #addBase}); their ids are given in the order they are added,
 * and a dedup image can only be rebuilt from a {@link BaseSandboxes} holding the same bases under
 * the same ids.
 *
 * <p>Thread-safety: as thread-safe as the engine and the bases (both are); concurrent dedups must
 * use different files.
 */
public final class CheckpointDedup {
    private final DedupEngine engine;
    private final BaseSandboxes bases;

    public CheckpointDedup(DedupEngine engine, BaseSandboxes bases) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.bases = Objects.requireNonNull(bases, "bases");
    }

    /** The directory of CRIU files kept beside dedup image {@code dedupFile}: {@code FILE.criu}. */
    public static Path criuFilesOf(Path dedupFile) {
        return CheckpointFiles.criuFilesOf(dedupFile);
    }

    /**
     * Makes the process checkpointed in {@code checkpointDir} a base sandbox of {@code function}.
     *
     * @return its base id
     */
    public int addBase(String function, Path checkpointDir) throws IOException {
        return bases.addBase(function, read(checkpointDir, "base " + checkpointDir.getFileName()));
    }

    /**
     * Reads the single process of the checkpoint in {@code dir} as a sandbox image named {@code id};
     * a dump on top of pre-dumps (a {@code parent} link) is read whole, its unchanged pages from
     * the chain.
     *
     * @throws CheckpointException when the checkpoint has more or less than one process with memory
     */
    public static SandboxImage read(Path dir, String id) throws IOException {
        CriuImageDir images = CriuImageDir.open(dir);
        List<CriuProcess> withMemory = images.processes().stream().filter(CriuProcess::hasMemory).toList();
        if (withMemory.size() != 1 || images.processes().size() != 1) {
            throw new CheckpointException(dir + " holds " + images.processes().size() + " processes ("
                    + withMemory.size() + " with memory); a dedup checkpoint is one process");
        }
        return images.toSandboxImage(withMemory.get(0).pid(), id);
    }

    /** {@link #dedup(Path, Path, boolean)} deleting the raw pages. */
    public CheckpointDedupResult dedup(Path checkpointDir, Path dedupFile) throws IOException {
        return dedup(checkpointDir, dedupFile, true);
    }

    /**
     * Deduplicates the checkpoint in {@code checkpointDir} into {@code dedupFile} (replaced if it
     * exists) and {@code FILE.criu/} (must be absent or empty). A checkpoint of a process tree
     * gets one dedup image per process with memory: the first (in pstree order) in {@code FILE},
     * each other one in {@code FILE.pid-PID} beside it. Every dedup image is read back and checked
     * before any raw page is deleted; when one fails, none is kept.
     *
     * @param deleteRawPages delete the checkpoint's {@code pages-*.img} once the dedup images are safe
     */
    public CheckpointDedupResult dedup(Path checkpointDir, Path dedupFile, boolean deleteRawPages) throws IOException {
        String id = dedupFile.getFileName().toString();
        long t0 = System.nanoTime();
        CriuImageDir images = CriuImageDir.open(checkpointDir);
        List<CriuProcess> withMemory = withMemory(images, checkpointDir);
        CheckpointFiles.pagemaps(checkpointDir); // refuses what a restore could not rebuild (shared memory)
        Path criuFiles = criuFilesOf(dedupFile);
        Path parent = dedupFile.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        List<Path> temps = new ArrayList<>();
        List<Path> targets = new ArrayList<>();
        List<String> retained = new ArrayList<>();
        long readNs = 0;
        long dedupNs = 0;
        int pages = 0;
        long raw = 0;
        long stored = 0;
        boolean ok = false;
        try {
            for (int i = 0; i < withMemory.size(); i++) {
                int pid = withMemory.get(i).pid();
                Path target = CheckpointFiles.imageOf(dedupFile, i, pid);
                String imageId = target.getFileName().toString();
                long a = System.nanoTime();
                try (SandboxImage image = images.toSandboxImage(pid, imageId)) {
                    long b = System.nanoTime();
                    readNs += b - a;
                    DedupImage dedup;
                    try {
                        dedup = engine.dedup(image, bases.registry(), bases);
                    } catch (BasePageUnavailableException e) {
                        throw new CheckpointException("dedup of " + checkpointDir + " (pid " + pid
                                + "): a base page could not be read: " + e.getMessage(), e);
                    }
                    retained.add(imageId);
                    dedupNs += System.nanoTime() - b;
                    try (dedup) {
                        Path tmp = Files.createTempFile(parent, "." + imageId, ".tmp");
                        temps.add(tmp);
                        targets.add(target);
                        dedup.writeTo(tmp);
                        try (DedupImage check = DedupImage.read(tmp)) {
                            if (check.pageCount() != image.pageCount()) {
                                throw new CheckpointException(tmp + " reads back with " + check.pageCount()
                                        + " pages, wrote " + image.pageCount());
                            }
                        } catch (DedupImageFormatException e) {
                            throw new CheckpointException("the dedup image written for " + checkpointDir + " (pid "
                                    + pid + ") does not read back: " + e.getMessage(), e);
                        }
                        pages += dedup.pageCount();
                        raw += dedup.rawBytes();
                        stored += dedup.storedBytes();
                    }
                }
            }
            long t2 = System.nanoTime();
            CheckpointFiles.copyWithoutPages(checkpointDir, criuFiles);
            if (Files.exists(checkpointDir.resolve(CriuImageDir.PARENT), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                // the parent link is not kept: its pages are in the dedup images now
                CheckpointFiles.flattenPagemaps(criuFiles);
            }
            for (int i = 0; i < temps.size(); i++) {
                Files.move(temps.get(i), targets.get(i), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            ok = true;
            if (deleteRawPages) {
                CheckpointFiles.deleteRawPages(checkpointDir);
            }
            long t3 = System.nanoTime();
            double saved = raw == 0 ? 0 : 1 - (double) stored / raw;
            return new CheckpointDedupResult(dedupFile, criuFiles, id, pages, raw, stored, saved, deleteRawPages,
                    java.time.Duration.ofNanos(readNs), java.time.Duration.ofNanos(dedupNs),
                    java.time.Duration.ofNanos(t3 - t2 + (t2 - t0 - readNs - dedupNs)));
        } finally {
            for (Path tmp : temps) {
                Files.deleteIfExists(tmp);
            }
            if (!ok) {
                for (String r : retained) {
                    bases.release(r); // no dedup image of this checkpoint holds its bases
                }
            }
        }
    }

    /** The processes of {@code images} (read from {@code dir}) with memory, in pstree order; at least one. */
    private static List<CriuProcess> withMemory(CriuImageDir images, Path dir) throws CheckpointException {
        List<CriuProcess> withMemory = images.processes().stream().filter(CriuProcess::hasMemory).toList();
        if (withMemory.isEmpty()) {
            throw new CheckpointException(dir + " holds no process with memory");
        }
        return withMemory;
    }

    /**
     * Makes every process with memory of the checkpoint in {@code checkpointDir} (one, or each of
     * a process tree) a base sandbox of {@code function}.
     *
     * @return their base ids, in pstree order
     */
    public int[] addBases(String function, Path checkpointDir) throws IOException {
        CriuImageDir images = CriuImageDir.open(checkpointDir);
        List<CriuProcess> withMemory = withMemory(images, checkpointDir);
        int[] ids = new int[withMemory.size()];
        for (int i = 0; i < ids.length; i++) {
            int pid = withMemory.get(i).pid();
            ids[i] = bases.addBase(function, images.toSandboxImage(pid, "base " + checkpointDir.getFileName()
                    + (ids.length > 1 ? " pid " + pid : "")));
        }
        return ids;
    }
}
