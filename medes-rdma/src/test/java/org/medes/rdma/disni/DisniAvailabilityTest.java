package org.medes.rdma.disni;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Availability detection: every missing piece is named, nothing is named when all are there. */
class DisniAvailabilityTest {
    @TempDir
    Path dir;

    @AfterEach
    void clearSwitch() {
        System.clearProperty(DisniAvailability.DISABLED_PROPERTY);
    }

    private DisniAvailability.Environment env(boolean classes, boolean exported, boolean verbs, boolean cm,
                                              boolean disni, boolean device) throws Exception {
        Path sys = Files.createDirectories(dir.resolve("lib"));
        Path jlp = Files.createDirectories(dir.resolve("jlp"));
        Path ib = dir.resolve("infiniband");
        if (verbs) {
            Files.createFile(sys.resolve("libibverbs.so.1"));
        }
        if (cm) {
            Files.createFile(sys.resolve("librdmacm.so.1"));
        }
        if (disni) {
            Files.createFile(jlp.resolve(System.mapLibraryName("disni")));
        }
        if (device) {
            Files.createDirectories(ib.resolve("rxe0"));
        } else {
            Files.createDirectories(ib);
        }
        return new DisniAvailability.Environment(false, classes, exported, ib, List.of(jlp), List.of(sys));
    }

    @Test
    void nothingMissingGivesNoCause() throws Exception {
        assertThat(DisniAvailability.missing(env(true, true, true, true, true, true))).isNull();
    }

    @Test
    void everyMissingPieceIsNamedWithItsFix() throws Exception {
        Throwable t = DisniAvailability.missing(env(false, false, false, false, false, false));
        assertThat(t).isNotNull();
        assertThat(t.getMessage())
                .startsWith("disni unavailable: ")
                .contains("com.ibm.disni:disni:2.1")
                .contains("--add-exports java.base/sun.nio.ch=ALL-UNNAMED")
                .contains("libibverbs.so.1 is missing").contains("apt-get install libibverbs1")
                .contains("librdmacm.so.1 is missing")
                .contains("libdisni.so is not on java.library.path (" + dir.resolve("jlp") + ")").contains("scripts/disni.sh")
                .contains("no RDMA device in " + dir.resolve("infiniband"));
    }

    @Test
    void eachPieceAloneIsNamedAndOnlyIt() throws Exception {
        record Case(String named, boolean[] present) {
        }
        List<Case> cases = List.of(
                new Case("class path", new boolean[] {false, true, true, true, true, true}),
                new Case("sun.nio.ch", new boolean[] {true, false, true, true, true, true}),
                new Case("libibverbs.so.1", new boolean[] {true, true, false, true, true, true}),
                new Case("librdmacm.so.1", new boolean[] {true, true, true, false, true, true}),
                new Case("libdisni.so", new boolean[] {true, true, true, true, false, true}),
                new Case("no RDMA device", new boolean[] {true, true, true, true, true, false}));
        int k = 0;
        for (Case c : cases) {
            dir = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-" + k++));
            boolean[] p = c.present();
            String m = DisniAvailability.missing(env(p[0], p[1], p[2], p[3], p[4], p[5])).getMessage();
            assertThat(m).as(c.named()).contains(c.named()).doesNotContain(";");
        }
    }

    @Test
    void aDeviceDirectoryThatDoesNotExistMeansNoDevice() throws Exception {
        DisniAvailability.Environment e = env(true, true, true, true, true, true);
        DisniAvailability.Environment gone = new DisniAvailability.Environment(false, true, true, dir.resolve("absent"),
                e.javaLibraryPath(), e.systemLibraryDirs());
        assertThat(DisniAvailability.missing(gone)).hasMessageContaining("no RDMA device in " + dir.resolve("absent"));
    }

    @Test
    void killSwitchWinsOverEverything() {
        System.setProperty(DisniAvailability.DISABLED_PROPERTY, "true");
        assertThat(DisniAvailability.isAvailable()).isFalse();
        assertThat(DisniAvailability.unavailabilityCause()).hasMessageContaining("-D" + DisniAvailability.DISABLED_PROPERTY + "=true");
        assertThat(DisniPageFetcher.create(new java.net.InetSocketAddress("127.0.0.1", 1), new byte[16]).unavailabilityCause())
                .hasMessageContaining(DisniAvailability.DISABLED_PROPERTY);
    }

    @Test
    void thisJvmHasTheExportDiSniNeeds() {
        // surefire's argLine carries scripts/jvm-flags: DiSNI's classes and the sun.nio.ch export are there
        DisniAvailability.Environment here = DisniAvailability.current();
        assertThat(here.disniClassesPresent()).isTrue();
        assertThat(here.sunNioChExported()).isTrue();
    }
}
