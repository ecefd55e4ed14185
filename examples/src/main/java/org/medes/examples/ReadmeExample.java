package org.medes.examples;

import org.medes.core.base.BaseSandboxes;
import org.medes.core.engine.DedupEngine;
import org.medes.core.image.DedupImage;
import org.medes.core.page.ProcessMemorySnapshot;
import org.medes.core.page.SandboxImage;
import org.medes.core.registry.FingerprintRegistry;
import org.medes.core.registry.OffHeapFingerprintRegistry;

import java.nio.file.Path;

/** The usage example of the README, verbatim between the markers; ReadmeExampleTest runs it. */
public final class ReadmeExample {
    private ReadmeExample() {
    }

    /** Deduplicates process {@code idlePid} against process {@code warmPid}; returns the restored image. */
    public static SandboxImage run(long warmPid, long idlePid, Path dir) throws Exception {
        // README-EXAMPLE-START
        try (FingerprintRegistry registry = new OffHeapFingerprintRegistry();
             BaseSandboxes bases = BaseSandboxes.builder().registry(registry).build();
             DedupEngine engine = DedupEngine.builder().build()) {
            // a warm sandbox of the function becomes a base: its sampled chunks go into the registry
            bases.addBase("thumbnail", ProcessMemorySnapshot.capture(warmPid, "thumbnail-1"));

            // an idle sandbox is deduplicated against the bases and kept as a small dedup image
            try (SandboxImage idle = ProcessMemorySnapshot.capture(idlePid, "thumbnail-2");
                 DedupImage dedup = engine.dedup(idle, registry, bases)) {
                dedup.writeTo(dir.resolve("thumbnail-2.medes"));
                System.out.printf("saved %.1f %% of %d pages%n", 100 * dedup.savedFraction(), dedup.pageCount());
            }

            // on the next request its pages are rebuilt, each checked against its checksum
            try (DedupImage dedup = DedupImage.read(dir.resolve("thumbnail-2.medes"))) {
                SandboxImage pages = engine.restore(dedup, bases);
                bases.release(dedup.id()); // the sandbox is live again: its bases may be retired
                return pages;
            }
        }
        // README-EXAMPLE-END
    }
}
