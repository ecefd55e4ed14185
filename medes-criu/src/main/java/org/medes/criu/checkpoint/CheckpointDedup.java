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
import java.util.List;
import java.util.Objects;

/**
 * Deduplicates CRIU checkpoints against base checkpoints: the checkpoint's pages
 * ({@link CriuImageDir#toSandboxImage}) go through {@link DedupEngine#dedup}; the dedup image is
 * written to the given file, the checkpoint's other files are copied beside it into
 * {@code FILE.criu/} (see {@link #criuFilesOf}), and then the raw pages ({@code pages-*.img}) are
 * deleted from the checkpoint. {@link DedupStart} walks it back.
 *
 * <p>A checkpoint here is one process; a dump on top of pre-dumps is read through its parent chain
 * and kept as one whole dump (its pagemap lists every page as present; no parent link).
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
     * exists) and {@code FILE.criu/} (must be absent or empty). The dedup image is read back and
     * checked before any raw page is deleted.
     *
     * @param deleteRawPages delete the checkpoint's {@code pages-*.img} once the dedup image is safe
     */
    public CheckpointDedupResult dedup(Path checkpointDir, Path dedupFile, boolean deleteRawPages) throws IOException {
        String id = dedupFile.getFileName().toString();
        long t0 = System.nanoTime();
        try (SandboxImage image = read(checkpointDir, id)) {
            long t1 = System.nanoTime();
            DedupImage dedup;
            try {
                dedup = engine.dedup(image, bases.registry(), bases);
            } catch (BasePageUnavailableException e) {
                throw new CheckpointException("dedup of " + checkpointDir + ": a base page could not be read: "
                        + e.getMessage(), e);
            }
            long t2 = System.nanoTime();
            try (dedup) {
                Path criuFiles = criuFilesOf(dedupFile);
                CheckpointFiles.copyWithoutPages(checkpointDir, criuFiles);
                if (Files.exists(checkpointDir.resolve(CriuImageDir.PARENT), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    // the parent link is not kept: its pages are in the dedup image now
                    CheckpointFiles.flattenPagemap(criuFiles);
                }
                Path parent = dedupFile.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Path tmp = Files.createTempFile(parent, "." + id, ".tmp");
                try {
                    dedup.writeTo(tmp);
                    try (DedupImage check = DedupImage.read(tmp)) {
                        if (check.pageCount() != image.pageCount()) {
                            throw new CheckpointException(tmp + " reads back with " + check.pageCount() + " pages, wrote "
                                    + image.pageCount());
                        }
                    } catch (DedupImageFormatException e) {
                        throw new CheckpointException("the dedup image written for " + checkpointDir
                                + " does not read back: " + e.getMessage(), e);
                    }
                    Files.move(tmp, dedupFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
                if (deleteRawPages) {
                    CheckpointFiles.deleteRawPages(checkpointDir);
                }
                long t3 = System.nanoTime();
                return new CheckpointDedupResult(dedupFile, criuFiles, id, dedup.pageCount(), dedup.rawBytes(),
                        dedup.storedBytes(), dedup.savedFraction(), deleteRawPages, java.time.Duration.ofNanos(t1 - t0),
                        java.time.Duration.ofNanos(t2 - t1), java.time.Duration.ofNanos(t3 - t2));
            }
        }
    }
}
