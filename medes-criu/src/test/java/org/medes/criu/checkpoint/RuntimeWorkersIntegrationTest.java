package org.medes.criu.checkpoint;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.medes.core.base.BaseSandboxes;
import org.medes.core.registry.OffHeapFingerprintRegistry;
import org.medes.criu.checkpoint.FunctionWorker.Runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The Node.js and Java workers under real CRIU: start, invoke, dump, restore, invoke again; and a
 * dedup start against a base of the same function with another input. Fails when CRIU is
 * unavailable unless {@code -Dmedes.criu.disabled=true}. Images live on /dev/shm.
 */
class RuntimeWorkersIntegrationTest {
    private static final Duration DEADLINE = LiveWorkers.DEADLINE;
    @RegisterExtension
    static final CriuEngine CRIU = new CriuEngine();

    private LiveWorkers live;
    private Path root;
    private CriuCheckpointer criu;


    @BeforeEach
    void setUp() throws IOException {
        live = new LiveWorkers("medes-rt-test-");
        root = live.root();
        criu = live.criu();
    }

    @AfterEach
    void tearDown() throws IOException {
        live.close();
    }

    static Stream<Arguments> nodeAndJavaFunctions() {
        return Stream.of(Runtime.NODE, Runtime.JAVA)
                .flatMap(r -> r.functions().stream().map(f -> Arguments.of(r, f)));
    }

    private FunctionWorker start(Runtime runtime, String function, int input) throws IOException {
        return live.start(runtime, function, input, runtime.id() + "-" + function + "-" + input);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("nodeAndJavaFunctions")
    void restoredWorkerCarriesOnFromItsPreCheckpointState(Runtime runtime, String function) throws Exception {
        FunctionWorker w = start(runtime, function, 21);
        String first = w.invoke();
        assertThat(first).startsWith(function + " 21 1 ");
        String second = w.invoke();
        assertThat(FunctionWorker.counter(second)).isEqualTo(2);
        assertThat(FunctionWorker.value(second)).as("VALUE(2) = VALUE(1) + 2").isEqualTo(FunctionWorker.value(first) + 2);

        Path ck = root.resolve("ck");
        DumpResult d = criu.dump(w.pid(), ck, false);
        w.awaitReaped(DEADLINE);
        System.out.printf("medes-criu %s %s: cold start %d ms, dump %d ms%n", runtime.id(), function,
                w.coldStart().toMillis(), d.elapsed().toMillis());
        assertThat(w.isRunning()).isFalse();

        RestoreResult r = criu.restore(ck);
        assertThat(r.pid()).isEqualTo(w.pid());
        FunctionWorker back = live.attach(r.pid(), w);
        back.awaitReady(DEADLINE);
        String third = back.invoke();
        assertThat(FunctionWorker.counter(third)).as(third).isEqualTo(3);
        assertThat(FunctionWorker.value(third)).as(third).isEqualTo(FunctionWorker.value(second) + 3);
        assertThat(FunctionWorker.counter(back.invoke())).isEqualTo(4);
    }

    /** Node.js and Java, each against a base of the same function (another input) and of its other function. */
    static Stream<Arguments> nodeAndJavaBases() {
        return Stream.of(Runtime.NODE, Runtime.JAVA).flatMap(r -> Stream.of(
                Arguments.of(r, r.functions().get(0)), Arguments.of(r, r.functions().get(1))));
    }

    @ParameterizedTest(name = "{0} against a {1} base")
    @MethodSource("nodeAndJavaBases")
    void dedupStartAgainstABaseOfTheSameOrTheOtherFunction(Runtime runtime, String baseFunction) throws Exception {
        String function = runtime.functions().get(0);
        assertThat(runtime.functions().get(1)).as("the runtime's other function").isNotEqualTo(function);
        FunctionWorker base = start(runtime, baseFunction, 1);
        FunctionWorker target = start(runtime, function, 2);
        base.invoke();
        target.invoke();
        long atCheckpoint = FunctionWorker.value(target.invoke());
        try (OffHeapFingerprintRegistry registry = new OffHeapFingerprintRegistry();
             BaseSandboxes bases = BaseSandboxes.builder().registry(registry).build()) {
            CheckpointDedup dedup = new CheckpointDedup(CRIU.engine(), bases);
            Path baseDir = root.resolve("base-ck");
            criu.dump(base.pid(), baseDir, true);
            dedup.addBase(baseFunction, baseDir);
            Path ck = root.resolve("target-ck");
            criu.dump(target.pid(), ck, false);
            target.awaitReaped(DEADLINE);

            Path file = root.resolve("dedup/target.medes");
            CheckpointDedupResult r = dedup.dedup(ck, file);
            System.out.printf("medes-criu %s %s: %d pages, saved %.1f %% against a %s worker with another input%n",
                    runtime.id(), function, r.pages(), 100 * r.savedFraction(), baseFunction);
            assertThat(r.savedFraction()).as("saved share against a %s base", baseFunction).isGreaterThan(0.3);
            assertThat(Files.size(file)).isLessThan(r.rawBytes());

            DedupStartResult s = new DedupStart(CRIU.engine(), bases, criu).start(file, root.resolve("started"));
            assertThat(s.pid()).isEqualTo(target.pid());
            FunctionWorker restored = live.attach(s.pid(), target);
            restored.awaitReady(DEADLINE);
            String answer = restored.invoke();
            assertThat(FunctionWorker.counter(answer)).as(answer).isEqualTo(3);
            assertThat(FunctionWorker.value(answer)).as(answer).isEqualTo(atCheckpoint + 3);
            assertThat(FunctionWorker.counter(base.invoke())).as("the base keeps serving").isEqualTo(2);
        }
    }

    @Test
    void unknownRuntimeOrFunctionIsNamed() {
        assertThatThrownBy(() -> Runtime.of("ruby")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown runtime ruby");
        assertThatThrownBy(() -> FunctionWorker.start(Runtime.NODE, "numpy-sum", 1, root, DEADLINE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown function numpy-sum for node");
        assertThat(Runtime.of("java")).isEqualTo(Runtime.JAVA);
    }
}
