package org.medes.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionProfilesTest {

    @Test
    void thePapersTenFunctions() {
        List<FunctionProfile> ps = FunctionProfiles.paperFunctionBench();
        assertThat(ps).extracting(FunctionProfile::name).containsExactly("Vanilla", "LinAlg", "ImagePro", "VideoPro",
                "MapReduce", "HTMLServe", "AuthEnc", "FeatureGen", "RNNModel", "ModelTrain");
        assertThat(ps.get(0).execMs()).isEqualTo(150);
        assertThat(ps.get(0).memoryMb()).isEqualTo(17);
        assertThat(ps.get(9).execMs()).isEqualTo(3000);
        assertThat(ps.get(9).memoryMb()).isEqualTo(87.5);
        // cold start = 1 s + 25 ms per MB
        assertThat(ps.get(8).coldStartMs()).isEqualTo(1000 + 25 * 90);
        assertThat(ps.get(8).dedupMemoryMb()).isCloseTo(90 * 0.15, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void csvRoundTrip(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.csv");
        Files.writeString(f, "# measured\n" + FunctionProfiles.toCsv(FunctionProfiles.paperFunctionBench()));
        assertThat(FunctionProfiles.read(f)).isEqualTo(FunctionProfiles.paperFunctionBench());
    }

    @Test
    void badFilesNameLineAndColumn(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> read(dir, "name,mem\n")).hasMessageContaining(":1: expected header");
        assertThatThrownBy(() -> read(dir, FunctionProfiles.HEADER + "\nf,1,2,3\n"))
                .hasMessageContaining(":2: expected 7 columns, found 4");
        assertThatThrownBy(() -> read(dir, FunctionProfiles.HEADER + "\nf,1,2,x,4,5,0.5\n"))
                .hasMessageContaining(":2: column 4 (cold_start_ms) is not a number: 'x'");
        assertThatThrownBy(() -> read(dir, FunctionProfiles.HEADER + "\nf,1,2,3,4,5,1.5\n"))
                .hasMessageContaining(":2: f: dedupSavings must be in [0, 1)");
        assertThatThrownBy(() -> read(dir, FunctionProfiles.HEADER + "\nf,1,2,3,4,5,0.5\nf,1,2,3,4,5,0.5\n"))
                .hasMessageContaining(":3: function 'f' listed twice");
        assertThatThrownBy(() -> read(dir, FunctionProfiles.HEADER + "\n")).hasMessageContaining("no functions");
        assertThatThrownBy(() -> FunctionProfiles.read(dir.resolve("missing.csv"))).hasMessageContaining("missing.csv");
    }

    private static List<FunctionProfile> read(Path dir, String text) throws Exception {
        Path f = Files.createTempFile(dir, "p", ".csv");
        Files.writeString(f, text);
        return FunctionProfiles.read(f);
    }
}
