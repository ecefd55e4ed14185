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

    @Test
    void librariesLoadedInAnotherOrderArePairedByFileOffsetAndProtectionWithTheirZeroFilledData() {
        long b = 0x7f00_0000_0000L;
        long t = 0x7f55_0000_0000L;
        List<Mapping> base = List.of(
                new Mapping(b, 0x1_0000, RX, "/lib/libcrypto.so", 0),
                new Mapping(b + 0x1_0000, 0x2000, RW, "/lib/libcrypto.so", 0x1_0000),
                new Mapping(b + 0x1_2000, 0x3000, RW, "", 0),
                new Mapping(b + 0x10_0000, 0x1_0000, RX, "/lib/ext.so", 0),
                new Mapping(b + 0x11_0000, 0x1000, RW, "/lib/ext.so", 0x1_0000));
        // the target loaded ext.so first: by order only one library can pair
        List<Mapping> target = List.of(
                new Mapping(t, 0x1_0000, RX, "/lib/ext.so", 0),
                new Mapping(t + 0x1_0000, 0x1000, RW, "/lib/ext.so", 0x1_0000),
                new Mapping(t + 0x20_0000, 0x1_0000, RX, "/lib/libcrypto.so", 0),
                new Mapping(t + 0x21_0000, 0x2000, RW, "/lib/libcrypto.so", 0x1_0000),
                new Mapping(t + 0x21_2000, 0x3000, RW, "", 0),
                new Mapping(t + 0x30_0000, 0x1000, RW, "/lib/libcrypto.so", 0x5_0000));

        MappingAlignment a = MappingAlignment.align(target, base);

        assertThat(new int[] {a.baseMapping(0), a.baseMapping(1), a.baseMapping(2), a.baseMapping(3),
                a.baseMapping(4), a.baseMapping(5)}).containsExactly(3, 4, 0, 1, 2, -1);
        PointerRelocation r = a.relocation();
        assertThat(r.relocate(b + 0x10_0010L)).isEqualTo(t + 0x10L); // into ext.so
        assertThat(r.relocate(b + 0x10L)).isEqualTo(t + 0x20_0010L); // into libcrypto.so
        assertThat(r.relocate(b + 0x1_2008L)).isEqualTo(t + 0x21_2008L); // into libcrypto's zero-filled data
    }
}
