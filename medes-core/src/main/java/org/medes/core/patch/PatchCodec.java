package org.medes.core.patch;

/**
 * Encodes a 4 KiB page against a base page and decodes it back exactly.
 *
 * <p>A codec is a stateless factory; its {@link PatchEncoder}s and {@link PatchDecoder}s hold
 * per-thread scratch space. The {@link #id()} is written into dedup images, so it never changes
 * once released.
 *
 * <p>Thread-safety: codecs are thread-safe; encoders and decoders are not (one per thread).
 */
public interface PatchCodec {
    /** Stable id (1..127) stored in dedup images. */
    int id();

    /** Short name for reports and configuration. */
    String name();

    PatchEncoder newEncoder();

    PatchDecoder newDecoder();

    /**
     * The codec to encode with when patches are compressed together afterwards (a dedup image's
     * payload blocks): the same id and format, without a compression stage of its own where
     * the codec has one. Default: this codec.
     */
    default PatchCodec forBlockCompression() {
        return this;
    }
}
