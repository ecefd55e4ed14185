package org.medes.core.patch;

/** Decodes a patch back into the exact page; reusable, not thread-safe. */
public interface PatchDecoder {
    /**
     * Rebuilds the page from {@code patch[off..off+len)} and the base page
     * {@code base[bOff..bOff+4096)} into {@code dst[dstOff..dstOff+4096)}.
     *
     * @throws PatchFormatException when the patch is malformed or truncated; the decoder never
     *                              reads or writes outside the given ranges
     */
    void decode(byte[] patch, int off, int len, byte[] base, int bOff, PointerRelocation relocation,
                byte[] dst, int dstOff) throws PatchFormatException;

    /**
     * As {@link #decode}, the page going to the 4096 bytes of native memory at {@code dstAddress}
     * (caller-owned) instead; {@code scratch} (4096 bytes) may be used in between. On a
     * {@link PatchFormatException} that memory holds unspecified bytes.
     */
    default void decodeTo(byte[] patch, int off, int len, byte[] base, int bOff, PointerRelocation relocation,
                          long dstAddress, byte[] scratch) throws PatchFormatException {
        decode(patch, off, len, base, bOff, relocation, scratch, 0);
        org.medes.core.page.OffHeap.copyFromArray(scratch, 0, dstAddress, org.medes.core.page.PageSize.BYTES);
    }

    /**
     * As {@link #decode(byte[], int, int, byte[], int, PointerRelocation, byte[], int)}, with the
     * base page's {@link PointerMarks} at {@code marks[marksOff..marksOff+8)}, or {@code marks}
     * null (see {@link PatchEncoder}); the page is the same. The default ignores them.
     */
    default void decode(byte[] patch, int off, int len, byte[] base, int bOff, PointerRelocation relocation,
                        long[] marks, int marksOff, byte[] dst, int dstOff) throws PatchFormatException {
        decode(patch, off, len, base, bOff, relocation, dst, dstOff);
    }

    /**
     * As {@link #decodeTo(byte[], int, int, byte[], int, PointerRelocation, long, byte[])}, with the
     * base page's {@link PointerMarks} at {@code marks[marksOff..marksOff+8)}, or {@code marks}
     * null (see {@link PatchEncoder}); the page is the same. The default ignores them.
     */
    default void decodeTo(byte[] patch, int off, int len, byte[] base, int bOff, PointerRelocation relocation,
                          long[] marks, int marksOff, long dstAddress, byte[] scratch) throws PatchFormatException {
        decodeTo(patch, off, len, base, bOff, relocation, dstAddress, scratch);
    }
}
