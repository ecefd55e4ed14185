package org.medes.criu.image;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.medes.core.page.SandboxImage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Mutated fixtures (a byte flipped, truncated, bytes inserted or a u32 overwritten, in any one image
 * file of the chain) either open or fail with {@link CriuImageFormatException}: never another
 * exception, never a hang.
 */
class ImageFuzzTest {
    private static Path fixture;
    private static List<String> files;

    record Mutation(int file, int kind, int position, int value) {
    }

    @BeforeContainer
    static void build() throws IOException {
        fixture = Files.createTempDirectory("criu-fuzz-fixture");
        Fixtures.chain(fixture);
        try (var s = Files.walk(fixture)) {
            files = s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .map(p -> fixture.relativize(p).toString()).sorted().toList();
        }
    }

    @AfterContainer
    static void clean() throws IOException {
        deleteTree(fixture);
    }

    @Property(tries = 400)
    void mutatedDirectoriesParseOrFailCleanly(@ForAll("mutation") Mutation m) throws IOException {
        Path work = Files.createTempDirectory("criu-fuzz");
        try {
            Fixtures.copyTree(fixture, work);
            Path f = work.resolve(files.get(m.file() % files.size()));
            byte[] b = Files.readAllBytes(f);
            Files.write(f, mutate(b, m));
            Path top = work.resolve("d2");
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                try {
                    CriuImageDir d = CriuImageDir.open(top);
                    for (CriuProcess p : d.processes()) {
                        if (p.hasMemory()) {
                            try (SandboxImage img = d.toSandboxImage(p.pid(), "fuzz")) {
                                assertThat(img.pageCount()).isEqualTo(d.storedPages(p.pid()));
                            }
                        }
                    }
                } catch (CriuImageFormatException expected) {
                    assertThat(expected.getMessage()).contains(expected.file().toString());
                }
            }, () -> "mutation " + m + " of " + f);
        } finally {
            deleteTree(work);
        }
    }

    @Property(tries = 2000)
    void everyMessageParserFailsCleanlyOnRandomBytes(@ForAll("junk") byte[] junk) {
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            for (int kind = 0; kind < 8; kind++) {
                ProtoReader r = new ProtoReader(junk, 0, junk.length, Path.of("junk"), 0);
                try {
                    switch (kind) {
                        case 0 -> InventoryEntry.decode(r);
                        case 1 -> PstreeEntry.decode(r);
                        case 2 -> MmEntry.decode(r);
                        case 3 -> VmaEntry.decode(r);
                        case 4 -> PagemapHead.decode(r);
                        case 5 -> PagemapEntry.decode(r);
                        case 6 -> RegFileNames.decodeEntry(r);
                        default -> TaskKobjIds.decode(r);
                    }
                } catch (CriuImageFormatException expected) {
                    assertThat(expected.offset()).isBetween(0L, (long) junk.length);
                }
            }
        });
    }

    static byte[] mutate(byte[] b, Mutation m) {
        int n = b.length;
        int at = n == 0 ? 0 : m.position() % n;
        return switch (m.kind()) {
            case 0 -> { // flip bits of one byte
                byte[] c = b.clone();
                if (n > 0) {
                    c[at] ^= (byte) (m.value() | 1);
                }
                yield c;
            }
            case 1 -> Arrays.copyOf(b, at); // truncate
            case 2 -> { // insert 1..8 bytes
                int k = 1 + (m.value() & 7);
                byte[] c = new byte[n + k];
                System.arraycopy(b, 0, c, 0, at);
                Arrays.fill(c, at, at + k, (byte) m.value());
                System.arraycopy(b, at, c, at + k, n - at);
                yield c;
            }
            default -> { // overwrite a u32 (a size prefix, a magic or four message bytes)
                byte[] c = b.clone();
                for (int i = 0; i < 4 && at + i < n; i++) {
                    c[at + i] = (byte) (m.value() >>> (8 * i));
                }
                yield c;
            }
        };
    }

    @Provide
    Arbitrary<Mutation> mutation() {
        return net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 1 << 20), Arbitraries.integers())
                .as(Mutation::new);
    }

    @Provide
    Arbitrary<byte[]> junk() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
    }

    static void deleteTree(Path p) throws IOException {
        if (p == null || !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> {
                try {
                    Files.delete(q);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
