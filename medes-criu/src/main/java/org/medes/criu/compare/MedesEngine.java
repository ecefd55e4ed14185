package org.medes.criu.compare;

import org.medes.core.base.BasePageUnavailableException;
import org.medes.core.base.BaseSandboxes;
import org.medes.core.engine.DedupEngine;
import org.medes.core.engine.PageRestoreException;
import org.medes.core.image.DedupImage;
import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;
import net.openhft.chronicle.bytes.BytesStore;
import org.medes.core.registry.OffHeapFingerprintRegistry;

import java.io.IOException;
import java.util.Objects;

/**
 * {@code medes}: this project's {@link DedupEngine} (default codec and options, the given number of
 * threads and zstd level) deduplicating the target against the base added as the only base sandbox, and
 * {@link DedupEngine#restoreInto} rebuilding it, every page checked against its checksum. Stored: the
 * dedup image's size as written to a file ({@link DedupImage#storedBytes()}: header, mappings,
 * page entries with checksums, payloads). Making the base a base sandbox (a copy of its pages and
 * its fingerprints in a fresh registry) is part of the timed encode. The restore rebuilds into
 * native memory the engine keeps from one round trip to the next ({@link DedupEngine#restoreInto}),
 * as a dedup start keeps its rebuild buffer, and as the other engines decode into new arrays of
 * a heap the JVM has already grown: a first round trip pays a page fault per page, later ones
 * do not ({@link DedupEngine#restore}, which builds a new {@code SandboxImage}, always does).
 *
 * <p>Thread-safety: one thread at a time (the engine itself uses {@code threads} threads).
 */
final class MedesEngine implements CompareEngine {
    static final String NAME = "medes";
    private final DedupEngine engine;
    /** Memory the last restore used, free again once its pages were closed; null before the first. */
    private BytesStore<?, Void> kept;
    private boolean keptInUse;

    /** @throws IllegalArgumentException when {@code zstdLevel} is not in 0..22 or {@code threads < 1} */
    MedesEngine(int threads, int zstdLevel) {
        this.engine = DedupEngine.builder().threads(threads).zstdLevel(zstdLevel).build();
    }

    @Override
    public String name() {
        return NAME;
    }

    private static final class Deduplicated implements Encoded {
        final OffHeapFingerprintRegistry registry;
        final BaseSandboxes bases;
        DedupImage image;

        Deduplicated(OffHeapFingerprintRegistry registry, BaseSandboxes bases) {
            this.registry = registry;
            this.bases = bases;
        }

        @Override
        public long storedBytes() {
            return image.storedBytes();
        }

        @Override
        public void close() {
            if (image != null) {
                image.close();
            }
            bases.close();
            registry.close();
        }
    }

    @Override
    public Encoded encode(ComparePair pair) throws IOException {
        OffHeapFingerprintRegistry registry = new OffHeapFingerprintRegistry();
        Deduplicated d = new Deduplicated(registry, BaseSandboxes.builder().registry(registry).build());
        try {
            d.bases.addBase("base", copy(pair.base()));
            d.image = engine.dedup(pair.target(), registry, d.bases);
            return d;
        } catch (BasePageUnavailableException e) {
            d.close();
            throw new IOException(NAME + ": a base page could not be read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    @Override
    public DecodedPages decode(ComparePair pair, Encoded encoded) throws IOException {
        Deduplicated d = (Deduplicated) encoded;
        int pages = d.image.pageCount();
        long bytes = (long) pages << PageSize.SHIFT;
        BytesStore<?, Void> memory = takeMemory(bytes);
        long address = memory.addressForWrite(0);
        boolean rebuilt = false;
        try {
            engine.restoreInto(d.image, d.bases, address);
            rebuilt = true;
        } catch (PageRestoreException e) {
            throw new IOException(NAME + ": " + e.getMessage(), e);
        } finally {
            if (!rebuilt) {
                keptInUse = false; // any failure frees the memory for the next round trip
            }
        }
        return new DecodedPages() {
            private boolean closed;

            @Override
            public int pageCount() {
                return pages;
            }

            @Override
            public void copyPage(int page, byte[] dst, int off) {
                if (closed) {
                    throw new IllegalStateException("decoded pages used after close");
                }
                Objects.checkIndex(page, pages);
                OffHeap.copyToArray(address + ((long) page << PageSize.SHIFT), dst, off, PageSize.BYTES);
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    keptInUse = false;
                }
            }
        };
    }

    /** The kept memory when it is free and large enough, else new memory that is kept from now on. */
    private BytesStore<?, Void> takeMemory(long bytes) {
        if (keptInUse) {
            throw new IllegalStateException("the pages of the last restore are still open");
        }
        if (kept == null || kept.realCapacity() < bytes) {
            if (kept != null) {
                kept.releaseLast();
            }
            kept = BytesStore.nativeStoreWithFixedCapacity(Math.max(PageSize.BYTES, bytes));
        }
        keptInUse = true;
        return kept;
    }

    /** A copy of {@code image}: {@link BaseSandboxes} takes ownership of the images it is given. */
    static SandboxImage copy(SandboxImage image) {
        SandboxImage.Builder b = SandboxImage.builder(image.id());
        image.mappings().forEach(b::addMapping);
        for (int p = 0; p < image.pageCount(); p++) {
            b.addPageFrom(image.pageVaddr(p), image.pageAddress(p));
        }
        return b.build();
    }

    @Override
    public void close() {
        engine.close();
        if (kept != null) {
            kept.releaseLast();
            kept = null;
        }
    }
}
