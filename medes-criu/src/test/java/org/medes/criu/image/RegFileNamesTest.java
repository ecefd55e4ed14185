package org.medes.criu.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medes.core.page.Mapping;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code files.img} read into file id to path, and file mappings named by it. */
class RegFileNamesTest {
    @TempDir
    Path dir;

    private static byte[] pipe(int id) {
        ProtoWriter entry = new ProtoWriter();
        entry.uint32(1, 4); // PIPE: no reg_file_entry
        entry.uint32(2, id);
        entry.bytes(5, new byte[] {8, 1});
        return entry.finish();
    }

    private void write(byte[]... messages) throws IOException {
        Fixtures.writeFilesImg(dir, List.of(messages));
    }

    @Test
    void regularFilesAreReadByIdAndOtherEntriesSkipped() throws IOException {
        write(Fixtures.regFileEntry(1, "/usr/bin/python3.11"), pipe(2), Fixtures.regFileEntry(7, "/usr/lib/libcrypto.so.3"));
        assertThat(RegFileNames.read(dir, InventoryEntry.CRTOOLS_IMAGES_V1_1))
                .isEqualTo(Map.of(1L, "/usr/bin/python3.11", 7L, "/usr/lib/libcrypto.so.3"));
        assertThat(RegFileNames.read(dir.resolve("none"), InventoryEntry.CRTOOLS_IMAGES_V1_1)).isEmpty();
    }

    @Test
    void aRegularFileWithoutItsNameOrATruncatedFileIsRefusedWithItsOffset() throws IOException {
        write(Fixtures.regFileEntry(1, "/bin/a"), Fixtures.regFileEntry(3, null));
        assertThatThrownBy(() -> RegFileNames.read(dir, InventoryEntry.CRTOOLS_IMAGES_V1_1))
                .isInstanceOf(CriuImageFormatException.class).hasMessageContaining("files.img")
                .hasMessageContaining("a regular file entry without its name");
        write(Fixtures.regFileEntry(1, "/bin/a"));
        byte[] whole = Files.readAllBytes(dir.resolve("files.img"));
        Files.write(dir.resolve("files.img"), Arrays.copyOf(whole, whole.length - 3));
        assertThatThrownBy(() -> RegFileNames.read(dir, InventoryEntry.CRTOOLS_IMAGES_V1_1))
                .isInstanceOf(CriuImageFormatException.class).hasMessageContaining("files.img");
    }

    @Test
    void aFileMappingIsNamedByItsPathWhenKnownAndByItsIdElse() {
        VmaEntry code = new VmaEntry(0x400000L, 0x410000L, 0x1000, 7, VmaEntry.PROT_READ | VmaEntry.PROT_EXEC,
                VmaEntry.MAP_PRIVATE, VmaEntry.VMA_AREA_REGULAR | VmaEntry.VMA_FILE_PRIVATE, -1, 0L, 0x8000,
                UnknownFields.NONE);
        Mapping named = VmaMappings.toMapping(code, Map.of(7L, "/usr/lib/libcrypto.so.3"));
        assertThat(named.name()).isEqualTo("/usr/lib/libcrypto.so.3");
        assertThat(named.fileOffset()).isEqualTo(0x1000);
        assertThat(VmaMappings.toMapping(code, Map.of(8L, "/other")).name()).isEqualTo("file:7");
        assertThat(VmaMappings.toMapping(VmaEntry.anonymous(0x7f0000000000L, 0x7f0000001000L),
                Map.of(0L, "/x")).name()).isEmpty();
    }
}
