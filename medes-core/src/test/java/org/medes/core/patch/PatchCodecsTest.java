package org.medes.core.patch;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PatchCodecsTest {
    @Test
    void idsAndNamesAreUniqueAndStable() throws PatchFormatException {
        Set<Integer> ids = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (PatchCodec c : PatchCodecs.all()) {
            assertThat(c.id()).isBetween(1, 127);
            assertThat(ids.add(c.id())).isTrue();
            assertThat(names.add(c.name())).isTrue();
            assertThat(PatchCodecs.byId(c.id())).isSameAs(c);
        }
        assertThat(PatchCodecs.byId(1)).isInstanceOf(XorLz4PatchCodec.class);
        assertThat(PatchCodecs.byId(2)).isInstanceOf(PointerAwarePatchCodec.class);
        assertThat(PatchCodecs.byId(3)).isInstanceOf(SplitStreamPatchCodec.class);
        assertThat(PatchCodecs.defaultCodec()).isInstanceOf(PointerAwarePatchCodec.class);
    }

    @Test
    void unknownIdIsAFormatError() {
        assertThatThrownBy(() -> PatchCodecs.byId(99)).isInstanceOf(PatchFormatException.class).hasMessageContaining("99");
    }
}
