package org.medes.criu.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CriuLocatorTest {
    @TempDir Path tmp;

    private final Properties props = new Properties();
    private final Map<String, String> env = new HashMap<>();
    private Path cache;

    @BeforeEach
    void isolateFromThisMachine() {
        cache = tmp.resolve("cache");
        env.put(CriuLocator.CACHE_ENV, cache.toString());
        env.put("PATH", tmp.resolve("empty-path-dir").toString());
    }

    private CriuBinary locate() {
        return new CriuLocator(props, env).locate();
    }

    @Test
    void propertyBeatsEnvironmentBeatsDefaultBeatsPath() {
        Path byProperty = FakeCriu.at(tmp.resolve("prop"), "4.1.1");
        Path byEnv = FakeCriu.at(tmp.resolve("env"), "4.2");
        Path byDefault = FakeCriu.at(cache.resolve("bin"), "4.1");
        Path onPath = FakeCriu.at(tmp.resolve("pathdir"), "5.0");
        props.setProperty(CriuLocator.PATH_PROPERTY, byProperty.toString());
        env.put(CriuLocator.PATH_ENV, byEnv.toString());
        env.put("PATH", tmp.resolve("nothing-here") + ":" + tmp.resolve("pathdir"));

        assertThat(locate()).isEqualTo(new CriuBinary(byProperty, CriuVersion.parse("Version: 4.1.1")));
        props.remove(CriuLocator.PATH_PROPERTY);
        assertThat(locate()).isEqualTo(new CriuBinary(byEnv, CriuVersion.parse("Version: 4.2")));
        env.remove(CriuLocator.PATH_ENV);
        assertThat(locate()).isEqualTo(new CriuBinary(byDefault, CriuVersion.parse("Version: 4.1")));
        assertThat(byDefault).isEqualTo(new CriuLocator(props, env).defaultWrapper());
        FakeCriu.script(byDefault, "exit 1\n").toFile().delete();
        assertThat(locate()).isEqualTo(new CriuBinary(onPath, CriuVersion.parse("Version: 5.0")));
    }

    @Test
    void blankSettingsCountAsUnset() {
        Path onPath = FakeCriu.at(tmp.resolve("pathdir"), "4.1");
        props.setProperty(CriuLocator.PATH_PROPERTY, "  ");
        env.put(CriuLocator.PATH_ENV, "");
        env.put("PATH", onPath.getParent().toString());
        assertThat(locate().path()).isEqualTo(onPath);
    }

    @Test
    void defaultWrapperIsUnderVarCacheMedesWithoutMedesCache() {
        env.remove(CriuLocator.CACHE_ENV);
        assertThat(new CriuLocator(props, env).defaultWrapper()).isEqualTo(Path.of("/var/cache/medes/bin/criu"));
    }

    @Test
    void firstAcceptablePathEntryWinsAndTooOldOnesAreSkipped() {
        Path old = FakeCriu.at(tmp.resolve("a"), "3.17.1");
        Path good = FakeCriu.at(tmp.resolve("b"), "4.1.1");
        FakeCriu.at(tmp.resolve("c"), "4.2");
        env.put("PATH", "::" + old.getParent() + ":" + good.getParent() + ":" + tmp.resolve("c"));
        assertThat(locate().path()).isEqualTo(good);
    }

    @Test
    void tooOldEverywhereIsRejectedWithTheVersionsFound() {
        Path oldDefault = FakeCriu.at(cache.resolve("bin"), "4.0");
        Path oldOnPath = FakeCriu.at(tmp.resolve("usr-sbin"), "3.17.1");
        env.put("PATH", oldOnPath.getParent().toString());

        assertThatThrownBy(this::locate)
                .isInstanceOfSatisfying(CriuUnavailableException.class, e -> assertThat(e.rejected()).containsExactly(
                        "scripts/criu.sh's wrapper " + oldDefault + ": is CRIU 4.0, older than the 4.1 Medes needs"
                                + " (CRIU 3.x cannot restore on kernels >= 6.13)",
                        "PATH entry " + oldOnPath + ": is CRIU 3.17.1, older than the 4.1 Medes needs"
                                + " (CRIU 3.x cannot restore on kernels >= 6.13)"))
                .hasMessageStartingWith("no CRIU >= 4.1 found; looked at:\n  scripts/criu.sh's wrapper " + oldDefault)
                .hasMessageContaining("run scripts/criu.sh as root");
    }

    @Test
    void nothingAnywhereNamesEachPlace() {
        env.put("PATH", tmp.resolve("x") + ":" + tmp.resolve("y"));
        assertThatThrownBy(this::locate)
                .isInstanceOfSatisfying(CriuUnavailableException.class, e -> assertThat(e.rejected()).containsExactly(
                        "scripts/criu.sh's wrapper " + cache.resolve("bin/criu") + ": does not exist",
                        "PATH " + tmp.resolve("x") + ":" + tmp.resolve("y") + ": no criu in any of its directories"));
        env.remove("PATH");
        assertThatThrownBy(this::locate)
                .isInstanceOfSatisfying(CriuUnavailableException.class,
                        e -> assertThat(e.rejected()).last().isEqualTo("PATH: not set"));
    }

    @Test
    void explicitMissingFileFailsWithoutLookingElsewhere() {
        FakeCriu.at(cache.resolve("bin"), "4.1.1"); // would be acceptable, must not be taken
        Path missing = tmp.resolve("no/such/criu");
        props.setProperty(CriuLocator.PATH_PROPERTY, missing.toString());
        assertThatThrownBy(this::locate)
                .isInstanceOf(CriuUnavailableException.class)
                .hasMessageStartingWith("system property medes.criu " + missing + ": does not exist\n")
                .hasMessageContaining("no other place is looked at");
    }

    @Test
    void explicitNonExecutableFileIsRejectedWithItsMode() throws IOException {
        Path plain = Files.writeString(tmp.resolve("criu"), "#!/bin/sh\necho 'Version: 4.1.1'\n");
        Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rw-r--r--"));
        env.put(CriuLocator.PATH_ENV, plain.toString());
        assertThatThrownBy(this::locate)
                .isInstanceOfSatisfying(CriuUnavailableException.class, e -> assertThat(e.rejected())
                        .containsExactly("environment variable MEDES_CRIU " + plain + ": is not executable (mode rw-r--r--)"));
    }

    @Test
    void explicitDirectoryBrokenLinkAndTooOldAreRejected() throws IOException {
        env.put(CriuLocator.PATH_ENV, tmp.toString());
        assertThatThrownBy(this::locate).hasMessageStartingWith("environment variable MEDES_CRIU " + tmp + ": is a directory");

        Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("gone"));
        env.put(CriuLocator.PATH_ENV, link.toString());
        assertThatThrownBy(this::locate).hasMessageStartingWith("environment variable MEDES_CRIU " + link + ": is a broken symbolic link");

        Path old = FakeCriu.at(tmp.resolve("old"), "3.17.1");
        env.put(CriuLocator.PATH_ENV, old.toString());
        assertThatThrownBy(this::locate).hasMessageStartingWith("environment variable MEDES_CRIU " + old + ": is CRIU 3.17.1, older than the 4.1");
    }

    @Test
    void aSymbolicLinkToAGoodCriuIsTakenAsTheLinkPath() throws IOException {
        Path real = FakeCriu.at(tmp.resolve("prefix/bin"), "4.1.1");
        Files.createDirectories(cache.resolve("bin"));
        Path link = Files.createSymbolicLink(cache.resolve("bin/criu"), real);
        assertThat(locate().path()).isEqualTo(link);
    }

    @Test
    void versionCommandThatFailsOrPrintsNoVersionIsRejectedWithItsOutput() {
        Path failing = FakeCriu.script(tmp.resolve("f/criu"), "echo 'criu: unrecognized option' >&2; exit 3\n");
        props.setProperty(CriuLocator.PATH_PROPERTY, failing.toString());
        assertThatThrownBy(this::locate)
                .hasMessageStartingWith("system property medes.criu " + failing + ": '" + failing
                        + " --version' exited with 3: 'criu: unrecognized option'");

        Path garbage = FakeCriu.script(tmp.resolve("g/criu"), "echo 'Checkpoint/Restore In Userspace'\n");
        props.setProperty(CriuLocator.PATH_PROPERTY, garbage.toString());
        assertThatThrownBy(this::locate)
                .hasMessageStartingWith("system property medes.criu " + garbage
                        + ": no 'Version: <major>.<minor>' line in criu --version output: 'Checkpoint/Restore In Userspace'");
    }

    @Test
    void killSwitchMakesCriuUnavailableWithoutLooking() {
        props.setProperty(CriuLocator.PATH_PROPERTY, FakeCriu.at(tmp.resolve("ok"), "4.1.1").toString());
        props.setProperty(Criu.DISABLED_PROPERTY, "true");
        Criu.Probe off = Criu.probe(props, env);
        assertThat(off.binary()).isNull();
        assertThat(off.cause()).hasMessage("CRIU switched off by system property medes.criu.disabled=true");

        props.setProperty(Criu.DISABLED_PROPERTY, "false");
        Criu.Probe on = Criu.probe(props, env);
        assertThat(on.cause()).isNull();
        assertThat(on.binary().version()).hasToString("4.1.1");
    }

    @Test
    void probeFailsWithTheOutputOfAFailedCheck() {
        Path criu = FakeCriu.failingCheck(tmp.resolve("bad"), "4.1.1");
        props.setProperty(CriuLocator.PATH_PROPERTY, criu.toString());
        Criu.Probe p = Criu.probe(props, env);
        assertThat(p.binary()).isNull();
        assertThat(p.cause())
                .hasMessageStartingWith(criu + " (CRIU 4.1.1): 'criu check' exited with 1 on kernel ")
                .hasMessageEndingWith("it printed: Error (criu/cr-check.c:1011): UFFD is not supported");
    }

    @Test
    void probeReportsWhereItLookedWhenNothingIsFound() {
        Criu.Probe p = Criu.probe(props, env);
        assertThat(p.binary()).isNull();
        assertThat(p.cause().rejected()).hasSize(2).first().asString().endsWith(": does not exist");
    }

    @Test
    void checkOfAWorkingBinaryReturnsItsOutput() {
        CriuBinary b = new CriuBinary(FakeCriu.at(tmp, "4.1.1"), CriuVersion.MINIMUM);
        assertThat(b.check()).isEqualTo("Looks good.\n");
        assertThat(b.command("dump", "-t", "1")).containsExactly(b.path().toString(), "dump", "-t", "1");
    }
}
