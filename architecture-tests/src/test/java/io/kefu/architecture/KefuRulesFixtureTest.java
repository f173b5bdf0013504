package io.kefu.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each rule of {@link KefuRules} fails on a violation planted in the fixture packages
 * ({@code io.kefu.architecture.fixture}, whose sub-packages play Kefu's modules), and names it.
 */
class KefuRulesFixtureTest {

    private static final String FIXTURE = "io.kefu.architecture.fixture";

    private static JavaClasses fixtures;

    @BeforeAll
    static void importFixtures() {
        fixtures = new ClassFileImporter().importPackages(FIXTURE);
    }

    @Test
    void apiThatUsesTheRuntimeOrALibraryIsReported() {
        List<String> violations = violationsOf(KefuRules.apiDependsOnJdkOnly(FIXTURE));

        assertThat(violations).anyMatch(v -> v.contains("LeakyApiType.runtime") && v.contains("RuntimeType"));
        assertThat(violations).anyMatch(v -> v.contains("LeakyApiType.library") && v.contains("ArchRule"));
        assertThat(violations).as("the JDK and sdk-api's own packages are allowed")
                .noneMatch(v -> v.contains("ApiData") || v.contains("ApiService"));
    }

    @Test
    void engineThatNamesAnotherEngineIsReported() {
        List<String> violations = violationsOf(KefuRules.enginesAreIndependent(FIXTURE));

        assertThat(violations).anyMatch(v -> v.contains("AlphaEngine.delegate()") && v.contains("BetaEngine"));
    }

    @Test
    void serverThatNamesAnEngineIsReported() {
        List<String> violations = violationsOf(KefuRules.serverNamesNoEngine(FIXTURE));

        assertThat(violations).anyMatch(v -> v.contains("EngineNamingRoute") && v.contains("AlphaEngine"));
    }

    @Test
    void packageCycleIsReportedButNotOneInsideTheApi() {
        List<String> violations = violationsOf(KefuRules.noPackageCycles(FIXTURE));

        assertThat(violations).anyMatch(v -> v.startsWith("Cycle detected")
                && v.contains(FIXTURE + ".cycle.first") && v.contains(FIXTURE + ".cycle.second"));
        assertThat(violations).as("sdk-api's packages count as one")
                .noneMatch(v -> v.contains(FIXTURE + ".data") || v.contains(FIXTURE + ".spi"));
    }

    @Test
    void dependencyAgainstTheModuleDirectionIsReported() {
        List<String> violations = violationsOf(KefuRules.moduleDirections(FIXTURE));

        assertThat(violations).as("runtime -> shop")
                .anyMatch(v -> v.contains("RuntimeType.shop") && v.contains("ShopType"));
        assertThat(violations).as("langchain4j -> runtime")
                .anyMatch(v -> v.contains("RuntimeUsingAdapter.runtime") && v.contains("RuntimeType"));
        assertThat(violations).as("sdk-api -> runtime")
                .anyMatch(v -> v.contains("LeakyApiType.runtime") && v.contains("RuntimeType"));
        assertThat(violations).as("a package in no module")
                .anyMatch(v -> v.contains("StrayType") && v.contains("is not contained in architecture"));
        assertThat(violations).as("server -> an engine")
                .anyMatch(v -> v.contains("EngineNamingRoute.engine") && v.contains("AlphaEngine"));
    }

    private static List<String> violationsOf(ArchRule rule) {
        EvaluationResult result = rule.evaluate(fixtures);
        assertThat(result.hasViolation()).as("%s reports a violation", rule.getDescription()).isTrue();
        return result.getFailureReport().getDetails();
    }
}
