package org.medes.core.patch;

/** Encodes one page against one base page; reusable, not thread-safe. */
public interface PatchEncoder {
    /**
     * Encodes {@code target[tOff..tOff+4096)} against {@code base[bOff..bOff+4096)}, whose
     * pointers {@code relocation} maps into the target's address space.
     *
     * @return the patch length written to {@code out[outOff..]}, or -1 when the patch would be
     *         longer than {@code maxLength} (then the content of {@code out} is unspecified)
     */
    int encode(byte[] target, int tOff, byte[] base, int bOff, PointerRelocation relocation,
               byte[] out, int outOff, int maxLength);

    /**
     * As {@link #encode(byte[], int, byte[], int, PointerRelocation, byte[], int, int)}, with the
     * base page's {@link PointerMarks} at {@code marks[marksOff..marksOff+8)}, or {@code marks}
     * null. Marks given must {@link PointerMarks#covers cover} {@code relocation}; the patch is the
     * same as without them, only found sooner. The default ignores them.
     */
    default int encode(byte[] target, int tOff, byte[] base, int bOff, PointerRelocation relocation,
                       long[] marks, int marksOff, byte[] out, int outOff, int maxLength) {
        return encode(target, tOff, base, bOff, relocation, out, outOff, maxLength);
    }
}
