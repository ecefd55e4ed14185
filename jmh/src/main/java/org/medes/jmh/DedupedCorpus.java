package org.medes.jmh;

import org.medes.core.base.BaseSandboxes;
import org.medes.core.base.BasePageUnavailableException;
import org.medes.core.engine.DedupEngine;
import org.medes.core.image.DedupImage;
import org.medes.core.registry.FingerprintRegistry;
import org.medes.core.registry.OffHeapFingerprintRegistry;

import java.io.IOException;

/**
 * A corpus's target deduplicated against its base, for the whole-image benchmarks: the base is
 * registered in a local {@link BaseSandboxes} (which owns it from then on) and the target
 * deduplicated once by {@link #engine}. Closing it closes the engine too.
 */
final class DedupedCorpus implements AutoCloseable {
    final PageCorpus pages;
    final FingerprintRegistry registry;
    final BaseSandboxes bases;
    final int base;
    final DedupEngine engine;
    final DedupImage deduped;

    DedupedCorpus(String corpus, DedupEngine engine) throws IOException, BasePageUnavailableException {
        this.pages = PageCorpus.open(corpus);
        this.registry = new OffHeapFingerprintRegistry();
        this.bases = BaseSandboxes.builder().registry(registry).build();
        this.base = bases.addBase("fn", pages.base);
        this.engine = engine;
        this.deduped = engine.dedup(pages.target, registry, bases);
    }

    @Override
    public void close() {
        deduped.close();
        engine.close();
        bases.close();
        registry.close();
        pages.close();
    }
}
