package org.medes.core.patch;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RelocationIndexTest {
    @Property(tries = 300)
    void agreesWithPointerRelocation(@ForAll long seed, @ForAll @IntRange(min = 0, max = 200) int ranges) {
        Random r = new Random(seed);
        long[] s = new long[ranges];
        long[] e = new long[ranges];
        long[] d = new long[ranges];
        long at = 0x1000L * (1 + r.nextInt(1 << 20));
        for (int i = 0; i < ranges; i++) {
            at += 0x1000L * r.nextInt(r.nextBoolean() ? 4 : 1 << 22);
            s[i] = at;
            long len = 0x1000L * (1 + (r.nextInt(8) == 0 ? r.nextInt(1 << 20) : r.nextInt(64)));
            at += len;
            e[i] = at;
            d[i] = 0x1000L * (r.nextInt(1 << 24) - (1 << 23));
        }
        PointerRelocation rel = PointerRelocation.of(s, e, d);
        RelocationIndex ix = new RelocationIndex(rel);
        for (int k = 0; k < 2000; k++) {
            long w;
            if (ranges > 0 && r.nextInt(4) != 0) {
                int i = r.nextInt(ranges);
                int edge = r.nextInt(5);
                w = edge == 0 ? s[i] : edge == 1 ? e[i] - 1 : edge == 2 ? e[i] : edge == 3 ? s[i] - 1
                        : s[i] + (long) (r.nextDouble() * (e[i] - s[i]));
            } else {
                w = r.nextLong();
            }
            assertThat(ix.relocate(w)).as("word 0x%x", w).isEqualTo(rel.relocate(w));
        }
    }
}
