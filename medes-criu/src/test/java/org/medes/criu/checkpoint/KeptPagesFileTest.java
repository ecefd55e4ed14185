package org.medes.criu.checkpoint;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medes.core.page.OffHeap;
import org.medes.criu.tool.FileTrees;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The unnamed pages file a dedup start keeps: sized, mapped, named for CRIU, reused at other sizes. */
class KeptPagesFileTest {
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        dir = FileTrees.createTempOnTmpfs("medes-kept-");
    }

    @AfterEach
    void tearDown() throws IOException {
        FileTrees.delete(dir);
    }

    private static byte[] fill(long address, int pages, long seed) {
        byte[] b = new byte[pages * 4096];
        new SplittableRandom(seed).nextBytes(b);
        OffHeap.copyFromArray(b, 0, address, b.length);
        return b;
    }

    @Test
    void whatIsWrittenThroughTheMappingIsWhatTheNameReadsAtEverySize() throws IOException {
        try (KeptPagesFile f = KeptPagesFile.create(dir)) {
            long[] sizes = {3, 7, 2, 7}; // grow (a new mapping), shrink, grow within the mapping
            for (int i = 0; i < sizes.length; i++) {
                int pages = (int) sizes[i];
                long address = f.map(pages * 4096L);
                byte[] written = fill(address, pages, i);
                Path name = dir.resolve("pages-" + i + ".img");
                f.nameAs(name);
                assertThat(Files.size(name)).isEqualTo(pages * 4096L);
                assertThat(Arrays.equals(Files.readAllBytes(name), written)).as("round %d", i).isTrue();
                assertThatThrownBy(() -> f.nameAs(name)).isInstanceOf(FileAlreadyExistsException.class);
                Files.delete(name); // as a start does once CRIU has read it: the file itself lives on
            }
            try (var s = Files.list(dir)) {
                assertThat(s.toList()).as("the file has no name of its own").isEmpty();
            }
            f.close();
            f.close(); // idempotent
        }
    }

    @Test
    void aDirectoryThatIsNotThereIsRefusedWithItsName() {
        assertThatThrownBy(() -> KeptPagesFile.create(dir.resolve("missing")))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot make an unnamed pages file in "
                        + dir.resolve("missing"));
    }
}
