package org.medes.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random register / retire sequences against a {@link HashMap} model of the registry contract. */
class OffHeapFingerprintRegistryModelTest {
    private static final long[] UNIVERSE = TestHashes.distinctKeys(11, 1_000);

    sealed interface Op permits Register, Retire {
    }

    record Register(int base, int node, List<Integer> hashIndexes, int pageSeed) implements Op {
        int page(int position) {
            return (hashIndexes.get(position) * 7 + pageSeed) % 97;
        }
    }

    record Retire(int base) implements Op {
    }

    @Property(tries = 300)
    void behavesLikeAHashMapOfFirstRegisteredPages(@ForAll("operations") List<Op> ops) {
        Map<Long, Long> model = new HashMap<>();
        Map<Integer, List<Long>> modelBases = new HashMap<>();
        long[] refs = new long[UNIVERSE.length];
        try (var registry = OffHeapFingerprintRegistry.builder().build()) {
            for (Op op : ops) {
                if (op instanceof Register r) {
                    int n = r.hashIndexes().size();
                    long[] hashes = new long[n + 3]; // slack: count, not the array length, bounds the batch
                    int[] pages = new int[n + 3];
                    for (int i = 0; i < n; i++) {
                        hashes[i] = UNIVERSE[r.hashIndexes().get(i)];
                        pages[i] = r.page(i);
                    }
                    if (modelBases.containsKey(r.base())) {
                        assertThatThrownBy(() -> registry.registerBase(r.base(), r.node(), hashes, pages, n))
                                .isInstanceOf(IllegalStateException.class);
                        continue;
                    }
                    List<Long> indexed = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        if (!model.containsKey(hashes[i])) {
                            model.put(hashes[i], PageRef.pack(r.base(), r.node(), pages[i]));
                            indexed.add(hashes[i]);
                        }
                    }
                    modelBases.put(r.base(), indexed);
                    assertThat(registry.registerBase(r.base(), r.node(), hashes, pages, n)).isEqualTo(indexed.size());
                } else if (op instanceof Retire t) {
                    List<Long> indexed = modelBases.remove(t.base());
                    int expected = indexed == null ? 0 : indexed.size();
                    if (indexed != null) {
                        indexed.forEach(model::remove);
                    }
                    assertThat(registry.retireBase(t.base())).isEqualTo(expected);
                }
                assertThat(registry.chunkCount()).isEqualTo(model.size());
                registry.lookup(UNIVERSE, UNIVERSE.length, refs);
                for (int i = 0; i < UNIVERSE.length; i++) {
                    assertThat(refs[i]).as("hash #%d after %s", i, op)
                            .isEqualTo(model.getOrDefault(UNIVERSE[i], PageRef.NONE));
                }
                for (int base = 0; base < 8; base++) {
                    assertThat(registry.isRegistered(base)).isEqualTo(modelBases.containsKey(base));
                }
            }
        }
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Integer> base = Arbitraries.integers().between(0, 7);
        Arbitrary<Op> register = Combinators.combine(
                base,
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, UNIVERSE.length - 1).list().ofMaxSize(400),
                Arbitraries.integers().between(0, 96))
                .as(Register::new);
        Arbitrary<Op> retire = base.map(Retire::new);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, register),
                net.jqwik.api.Tuple.of(2, retire))
                .list().ofMaxSize(30);
    }
}
