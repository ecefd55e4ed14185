package org.medes.criu.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CriuVersionTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            'Version: 4.1.1\\n'                                                         | 4.1.1
            'Version: 4.1\\n'                                                           | 4.1
            'Version: 3.17.1\\n'                                                        | 3.17.1
            'Version: 3.19\\nGitID: v3.19-112-g2a5cbb1e2\\n'                            | 3.19
            'Version: 4.0\\nGitID: v4.0-dirty\\n'                                       | 4.0
            'GitID: v4.1.1-3-gdeadbee\\nVersion: 4.1.1\\n'                              | 4.1.1
            'Warn  (criu/kerndat.c:1285): Can''t keep kdat cache on non-tempfs\\nVersion: 4.1.1\\n' | 4.1.1
            'Version: 4.2\\r\\n'                                                        | 4.2
            '   Version:\\t 3.15\\n'                                                    | 3.15
            'Version: 3.12.1.2\\n'                                                      | 3.12.1.2
            'Version: 4.1.1-rc1\\n'                                                     | 4.1.1
            'Version: 10.0.3\\nGitID: v10.0.3\\n'                                       | 10.0.3
            """)
    void parsesRealWorldOutput(String output, String expected) {
        assertThat(CriuVersion.parse(unescape(output)).toString()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "",
        "   \\n",
        "criu: command not found",
        "Version: ",
        "Version: four.one",
        "Version: 4",
        "Version 4.1.1",
        "GitID: v4.1.1",
        "Version: 4.1.1.1.1",
        "Version: 12345678.1",
        "criu Version: 4.1.1",
    })
    void rejectsMalformedOutputNamingIt(String output) {
        String text = unescape(output);
        assertThatThrownBy(() -> CriuVersion.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no 'Version: <major>.<minor>' line in criu --version output: ");
    }

    @Test
    void quotesTheOutputItCouldNotRead() {
        assertThatThrownBy(() -> CriuVersion.parse("Error: unknown option\nUsage: criu ..."))
                .hasMessageEndingWith("'Error: unknown option\\nUsage: criu ...'");
        assertThatThrownBy(() -> CriuVersion.parse(""))
                .hasMessageEndingWith("(nothing)");
        assertThatThrownBy(() -> CriuVersion.parse("x".repeat(1000)))
                .hasMessageEndingWith("x...'");
    }

    @Test
    void ordersNumericallyNotAsText() {
        List<String> ascending = List.of("3.9", "3.17.1", "3.19", "4.0", "4.1", "4.1.1", "4.1.1.1", "4.2", "4.10", "10.0");
        for (int i = 1; i < ascending.size(); i++) {
            CriuVersion lower = CriuVersion.parse("Version: " + ascending.get(i - 1));
            CriuVersion higher = CriuVersion.parse("Version: " + ascending.get(i));
            assertThat(lower).isLessThan(higher);
            assertThat(lower.isAtLeast(higher)).as("%s >= %s", lower, higher).isFalse();
            assertThat(higher.isAtLeast(lower)).isTrue();
        }
    }

    @Test
    void minimumIsFourOne() {
        assertThat(CriuVersion.MINIMUM).hasToString("4.1");
        assertThat(CriuVersion.parse("Version: 4.1").isAtLeast(CriuVersion.MINIMUM)).isTrue();
        assertThat(CriuVersion.parse("Version: 4.0.9").isAtLeast(CriuVersion.MINIMUM)).isFalse();
        assertThat(CriuVersion.parse("Version: 3.17.1").isAtLeast(CriuVersion.MINIMUM)).isFalse();
        assertThat(CriuVersion.parse("Version: 4.1").equals(new CriuVersion(4, 1, 0, 0))).isTrue();
    }

    @Test
    void rejectsNegativeParts() {
        assertThatThrownBy(() -> new CriuVersion(4, -1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4.-1.0.0");
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t");
    }
}
