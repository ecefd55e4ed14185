package org.medes.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medes.core.page.ProcessMemorySnapshot;
import org.medes.core.page.SandboxImage;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReadmeExampleTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void readmeShowsTheExampleVerbatim() throws Exception {
        String source = Files.readString(ROOT.resolve("examples/src/main/java/org/medes/examples/ReadmeExample.java"));
        String body = source.substring(source.indexOf("// README-EXAMPLE-START") + "// README-EXAMPLE-START".length(),
                source.indexOf("        // README-EXAMPLE-END"));
        String readme = Files.readString(ROOT.resolve("README.md"));
        StringBuilder dedented = new StringBuilder();
        for (String line : body.strip().split("\n")) {
            dedented.append(line.startsWith("        ") ? line.substring(8) : line.strip()).append('\n');
        }
        assertThat(readme).contains(dedented.toString().strip());
    }

    @Test
    void exampleDeduplicatesAndRestoresALiveWorker(@TempDir Path dir) throws Exception {
        try (LiveWorker warm = LiveWorker.startPython(1); LiveWorker idle = LiveWorker.startPython(2)) {
            try (SandboxImage restored = ReadmeExample.run(warm.pid(), idle.pid(), dir);
                 SandboxImage again = ProcessMemorySnapshot.capture(idle.pid(), "check")) {
                assertThat(Files.size(dir.resolve("thumbnail-2.medes"))).isLessThan(restored.pageBytes() / 3);
                // the idle worker did not run in between, so its private pages are what was restored
                assertThat(restored.pageCount()).isEqualTo(again.pageCount());
                assertThat(restored.mappings()).isEqualTo(again.mappings());
                assertThat(restored.firstDifferentPage(again)).isEqualTo(-1);
            }
        }
    }

    @Test
    void scriptsAndMavenGiveTheJvmTheSameFlags() throws Exception {
        List<String> flags = Files.readAllLines(ROOT.resolve("scripts/jvm-flags")).stream()
                .filter(l -> !l.isBlank()).toList();
        List<String> jvm = ManagementFactory.getRuntimeMXBean().getInputArguments();
        assertThat(jvm).containsAll(flags);
    }
}
