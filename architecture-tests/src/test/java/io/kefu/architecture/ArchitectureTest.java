package io.kefu.architecture;

import static io.kefu.architecture.KefuRules.KEFU;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the rules of {@link KefuRules} on the main classes of every Kefu module.
 *
 * <p>Test classes are left out: they may cross module lines on purpose (the server's tests run
 * a real engine, engine-remote's tests start the server).
 */
class ArchitectureTest {

    private static JavaClasses kefu;

    @BeforeAll
    static void importKefu() {
        kefu = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                // libraries that a shaded jar (notebooks/kernel) relocated under io.kefu are not Kefu's code
                .withImportOption(location -> !location.contains("/shaded/"))
                .importPackages(KEFU);
    }

    @Test
    void theImportSeesEveryModule() {
        // a rule over an empty or partial import would pass for nothing
        for (String pkg : List.of(KEFU, KEFU + ".chat", KEFU + ".runtime", KEFU + ".shop", KEFU + ".eval.metrics",
                KEFU + ".engine.remote", KEFU + ".engine.djl", KEFU + ".engine.onnx", KEFU + ".engine.trtllm",
                KEFU + ".langchain4j", KEFU + ".server", KEFU + ".notebook", KEFU + ".cli")) {
            assertThat(kefu.stream().map(JavaClass::getPackageName).filter(p -> p.equals(pkg) || p.startsWith(pkg + ".")))
                    .as("classes of %s", pkg).isNotEmpty();
        }
        assertThat(kefu.stream().map(JavaClass::getPackageName))
                .as("test classes and shaded libraries are not imported")
                .noneMatch(p -> p.startsWith(KEFU + ".architecture") || p.contains(".shaded"));
    }

    @Test
    void apiDependsOnJdkOnly() {
        KefuRules.apiDependsOnJdkOnly(KEFU).check(kefu);
    }

    @Test
    void enginesAreIndependent() {
        KefuRules.enginesAreIndependent(KEFU).check(kefu);
    }

    @Test
    void serverNamesNoEngine() {
        KefuRules.serverNamesNoEngine(KEFU).check(kefu);
    }

    @Test
    void noPackageCycles() {
        KefuRules.noPackageCycles(KEFU).check(kefu);
    }

    @Test
    void moduleDirections() {
        KefuRules.moduleDirections(KEFU).check(kefu);
    }
}
