package org.medes.criu.checkpoint;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.medes.core.engine.DedupEngine;

/**
 * For a CRIU integration test class that deduplicates:
 * {@code @RegisterExtension static final CriuEngine CRIU = new CriuEngine();} skips or fails its
 * tests as {@link LiveWorkers#requireCriu} says before the first, and gives them one
 * {@link DedupEngine}, closed after the last.
 */
final class CriuEngine implements BeforeAllCallback, AfterAllCallback {
    private DedupEngine engine;

    @Override
    public void beforeAll(ExtensionContext context) {
        LiveWorkers.requireCriu();
        engine = DedupEngine.builder().build();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }

    DedupEngine engine() {
        return engine;
    }
}
