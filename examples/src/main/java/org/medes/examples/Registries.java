package org.medes.examples;

import org.medes.core.registry.FingerprintRegistry;

/** The registry the examples use. */
final class Registries {
    private Registries() {
    }

    static FingerprintRegistry embedded() {
        return new org.medes.core.registry.OffHeapFingerprintRegistry();
    }
}
