package org.medes.criu.compare;

import org.medes.core.base.BasePageUnavailableException;
import org.medes.core.base.BaseSandboxes;
import org.medes.core.engine.DedupEngine;
import org.medes.core.engine.PageRestoreException;
import org.medes.core.image.DedupImage;
import org.medes.core.page.SandboxImage;
import org.medes.core.registry.OffHeapFingerprintRegistry;

import java.io.IOException;

/**
 * {@code medes}: this project's {@link DedupEngine} (default codec and options, the given number of
 * threads) deduplicating the target against the base added as the only base sandbox, and
 * {@link DedupEngine#restore} rebuilding it, every page checked against its checksum. Stored: the
 * dedup image's size as written to a file ({@link DedupImage#storedBytes()}: header, mappings,
 * page entries with checksums, payloads). Making the base a base sandbox (a copy of its pages and
 * its fingerprints in a fresh registry) is part of the timed encode.
 *
 * <p>Thread-safety: one thread at a time (the engine itself uses {@code threads} threads).
 */
final class MedesEngine implements CompareEngine {
    static final String NAME = "medes";
    private final DedupEngine engine;

    MedesEngine(int threads) {
        this.engine = DedupEngine.builder().threads(threads).build();
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
        try {
            return DecodedPages.of(engine.restore(d.image, d.bases));
        } catch (PageRestoreException e) {
            throw new IOException(NAME + ": " + e.getMessage(), e);
        }
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
    }
}
