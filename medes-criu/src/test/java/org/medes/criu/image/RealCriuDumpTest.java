package org.medes.criu.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medes.core.page.SandboxImage;
import org.medes.criu.tool.Criu;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Reads a real CRIU dump of a sleeping process, with the CRIU {@link Criu} locates (fails when
 * there is none, unless {@code -Dmedes.criu.disabled=true}).
 */
class RealCriuDumpTest {
    @TempDir
    Path root;

    @Test
    void readsAndRoundTripsARealDump() throws Exception {
        // CRIU is provided by scripts/setup.sh; only -Dmedes.criu.disabled=true turns this test off
        assumeTrue(!Boolean.getBoolean(Criu.DISABLED_PROPERTY), "CRIU disabled by -D" + Criu.DISABLED_PROPERTY);
        Path criu = Criu.binary().path();
        Process sleeper = new ProcessBuilder("setsid", "sleep", "300").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Path img = Files.createDirectories(root.resolve("img"));
            Process dump = new ProcessBuilder(criu.toString(), "dump", "-t", Long.toString(sleeper.pid()), "-D",
                    img.toString(), "--leave-running", "-o", "dump.log").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(dump.waitFor(60, TimeUnit.SECONDS)).as("criu dump finished within 60 s").isTrue();
            assertThat(dump.exitValue()).as("criu dump exit code (log: dump.log in " + img + ")").isZero();
            int pid = (int) sleeper.pid();
            CriuImageDir d = CriuImageDir.open(img);
            assertThat(d.processes()).extracting(CriuProcess::pid).containsExactly(pid);
            assertThat(d.inventory().get().imgVersion()).isEqualTo(InventoryEntry.CRTOOLS_IMAGES_V1_1);
            roundTrips(d.inventoryFile(), InventoryEntry::decode, InventoryEntry::encode);
            roundTrips(d.pstreeFile(), PstreeEntry::decode, PstreeEntry::encode);
            roundTrips(d.process(pid).mmFile(), MmEntry::decode, MmEntry::encode);
            EntryFile pm = d.process(pid).pagemap().file();
            assertThat(pm.toBytes()).isEqualTo(Files.readAllBytes(pm.path()));
            for (int i = 1; i < pm.frames().size(); i++) {
                EntryFile.Frame f = pm.frames().get(i);
                assertThat(PagemapEntry.decode(f.reader(pm.path())).encode()).isEqualTo(f.message());
            }
            try (SandboxImage image = d.toSandboxImage(pid, "sleep");
                 RandomAccessFile mem = new RandomAccessFile("/proc/" + pid + "/mem", "r")) {
                assertThat(image.pageCount()).isPositive();
                assertThat(image.mappings()).hasSize(d.process(pid).vmas().size());
                // file mappings are named by their files' paths from files.img, not CRIU's per-dump ids
                assertThat(image.mappings()).extracting(org.medes.core.page.Mapping::name)
                        .anyMatch(n -> n.endsWith("/sleep")).anyMatch(n -> n.contains("/libc.so"))
                        .noneMatch(n -> n.startsWith("file:"));
                int same = 0;
                byte[] live = new byte[4096];
                for (int p = 0; p < image.pageCount(); p++) {
                    mem.seek(image.pageVaddr(p));
                    mem.readFully(live);
                    same += java.util.Arrays.equals(live, image.page(p)) ? 1 : 0;
                }
                // a sleeping process's memory barely moves; its stack may
                assertThat(same).isGreaterThanOrEqualTo(image.pageCount() * 9 / 10);
            }
            Path out = root.resolve("out");
            try (SandboxImage image = d.toSandboxImage(pid, "sleep")) {
                CriuImageWriter.rewritePages(d, java.util.Map.of(pid, image), out);
            }
            for (String name : new String[] {"pagemap-" + pid + ".img", "pages-1.img", "mm-" + pid + ".img"}) {
                assertThat(Files.readAllBytes(out.resolve(name))).isEqualTo(Files.readAllBytes(img.resolve(name)));
            }
        } finally {
            sleeper.destroyForcibly();
        }
    }

    interface Decoder<T> {
        T decode(ProtoReader r) throws CriuImageFormatException;
    }

    static <T> void roundTrips(EntryFile f, Decoder<T> decode, java.util.function.Function<T, byte[]> encode)
            throws IOException {
        assertThat(f.toBytes()).isEqualTo(Files.readAllBytes(f.path()));
        for (EntryFile.Frame fr : f.frames()) {
            assertThat(encode.apply(decode.decode(fr.reader(f.path())))).as(f.path() + " frame at " + fr.offset())
                    .isEqualTo(fr.message());
        }
    }
}
