package org.medes.core.engine;

import org.medes.core.registry.FingerprintRegistry;
import org.medes.core.registry.OffHeapFingerprintRegistry;

/** The registry the engine tests run against: the real embedded one. */
final class TestRegistries {
    private TestRegistries() {
    }

    static FingerprintRegistry newRegistry() {
        return new OffHeapFingerprintRegistry();
    }
}
