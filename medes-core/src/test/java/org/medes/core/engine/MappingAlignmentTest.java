package org.medes.core.engine;

import org.medes.core.page.Mapping;
import org.medes.core.patch.PointerRelocation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MappingAlignmentTest {
    private static final int RX = Mapping.READ | Mapping.EXEC;
    private static final int RW = Mapping.READ | Mapping.WRITE;

    private static List<Mapping> process(long heap, long mmap, boolean extraAnonymous) {
        List<Mapping> m = new java.util.ArrayList<>(List.of(
                new Mapping(heap, 0x10_0000, RW, "[heap]", 0),
                new Mapping(mmap, 0x2_0000, RX, "/usr/lib/libpython.so", 0),
                new Mapping(mmap + 0x2_0000, 0x1000, RW, "/usr/lib/libpython.so", 0x2_0000),
                new Mapping(mmap + 0x8_0000, 0x4_0000, RW, "", 0)));
        if (extraAnonymous) {
            m.add(3, new Mapping(mmap + 0x4_0000, 0x1000, RW, "/dev/shm/only-here", 0));
        }
        return m;
    }

    @Test
    void pairsByNameAndJoinsTheMmapAreaIntoOneRelocationRange() {
        List<Mapping> base = process(0x5555_0000_0000L, 0x7f00_0000_0000L, true);
        List<Mapping> target = process(0x5577_0000_0000L, 0x7f11_0000_0000L, false);

        MappingAlignment a = MappingAlignment.align(target, base);

        assertThat(a.pairs()).isEqualTo(4);
        assertThat(a.baseMapping(3)).isEqualTo(4);
        PointerRelocation r = a.relocation();
        assertThat(r.size()).isEqualTo(2);
        assertThat(r.relocate(0x5555_0000_0010L)).isEqualTo(0x5577_0000_0010L);
        assertThat(r.relocate(0x7f00_0002_0008L)).isEqualTo(0x7f11_0002_0008L);
        // the base-only mapping and the hole around it lie inside the mmap area's range
        assertThat(r.relocate(0x7f00_0004_0000L)).isEqualTo(0x7f11_0004_0000L);
        assertThat(r.relocate(0x7f00_000c_0000L)).isEqualTo(0x7f00_000c_0000L);
    }
}
