package org.medes.core.patch;

import java.util.List;

/**
 * The registry of patch codecs by their stable id, as written into dedup images.
 *
 * <p>Thread-safety: immutable.
 */
public final class PatchCodecs {
    private static final XorLz4PatchCodec XOR_LZ4 = new XorLz4PatchCodec();
    private static final PointerAwarePatchCodec POINTER_AWARE = new PointerAwarePatchCodec();
    private static final SplitStreamPatchCodec SPLIT_STREAM = new SplitStreamPatchCodec();
    private static final List<PatchCodec> ALL = List.of(XOR_LZ4, POINTER_AWARE, SPLIT_STREAM);

    private PatchCodecs() {
    }

    /** The codec with id {@code id}. @throws PatchFormatException when no codec has that id */
    public static PatchCodec byId(int id) throws PatchFormatException {
        for (PatchCodec c : ALL) {
            if (c.id() == id) {
                return c;
            }
        }
        throw new PatchFormatException("unknown patch codec id " + id);
    }

    /** The codec the engine uses unless told otherwise: {@link PointerAwarePatchCodec}. */
    public static PatchCodec defaultCodec() {
        return POINTER_AWARE;
    }

    /** Every registered codec, in id order. */
    public static List<PatchCodec> all() {
        return ALL;
    }
}
