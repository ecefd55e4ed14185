package org.medes.core.image;

import org.medes.core.patch.PointerRelocation;

import java.util.Objects;

/**
 * A base sandbox a dedup image reads pages from, and how base pointers map into the image.
 *
 * @param base       base sandbox id
 * @param node       node holding it when the image was made
 * @param relocation base address ranges and the offsets ASLR moved them by
 */
public record BaseUse(int base, int node, PointerRelocation relocation) {
    public BaseUse {
        Objects.requireNonNull(relocation, "relocation");
    }
}
