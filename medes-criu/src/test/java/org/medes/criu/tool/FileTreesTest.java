package org.medes.criu.tool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class FileTreesTest {
    @Test
    void deletesATreeAndToleratesOneThatIsGone(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("checkpoint");
        Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(dir.resolve("a/b/pages-1.img"), "x");
        Files.writeString(dir.resolve("inventory.img"), "y");
        Path kept = Files.writeString(tmp.resolve("beside"), "z");

        FileTrees.delete(dir);
        FileTrees.delete(dir);

        assertThat(dir).doesNotExist();
        assertThat(kept).exists();
    }
}
