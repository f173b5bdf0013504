package io.kefu.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency rules between Kefu's modules, written on package patterns under a root package.
 *
 * <p>The real code is checked with the root {@value #KEFU}; the tests that show each rule can fail
 * use the same rules under a fixture root whose packages mirror Kefu's ({@code <root>.engine.x},
 * {@code <root>.server}, ...). Modules map to packages as follows:
 * <pre>
 * sdk-api        root and root.eval (each itself only), root.chat.., root.data.., root.model.., root.spi.., root.train..
 * runtime        root.runtime..
 * shop           root.shop..
 * eval           root.eval.*..   (the sub-packages of root.eval; root.eval itself is sdk-api)
 * engine-remote  root.engine.remote..
 * engine-*       root.engine.&lt;name&gt;..
 * langchain4j    root.langchain4j..
 * server         root.server..
 * kernel         root.notebook..  (notebooks/kernel)
 * bench          root.bench..
 * cli            root.cli..
 * </pre>
 */
final class KefuRules {

    /** The root package of Kefu's own classes. */
    static final String KEFU = "io.kefu";

    private KefuRules() {}

    /** The classes of sdk-api. */
    static DescribedPredicate<JavaClass> api(String root) {
        return resideInAnyPackage(root, root + ".chat..", root + ".data..", root + ".eval", root + ".model..",
                root + ".spi..", root + ".train..")
                .as("sdk-api (" + root + ", .chat, .data, .eval, .model, .spi, .train)");
    }

    /** The classes of the eval module: the sub-packages of {@code root.eval} (which itself is sdk-api's). */
    static DescribedPredicate<JavaClass> evalModule(String root) {
        return resideInAPackage(root + ".eval..").and(not(resideInAPackage(root + ".eval")))
                .as("eval module (" + root + ".eval.*)");
    }

    /** The engine modules other than engine-remote. */
    static DescribedPredicate<JavaClass> localEngines(String root) {
        return resideInAPackage(root + ".engine..").and(not(resideInAPackage(root + ".engine.remote..")))
                .as("engines (" + root + ".engine.*, engine-remote excepted)");
    }

    /** sdk-api depends on the JDK only: java.*, javax.annotation and its own packages. */
    static ArchRule apiDependsOnJdkOnly(String root) {
        return classes().that(api(root))
                .should().onlyDependOnClassesThat(
                        resideInAnyPackage("java..", "javax.annotation..").or(api(root))
                                .as("java.*, javax.annotation or sdk-api"))
                .as("sdk-api depends on the JDK and itself only");
    }

    /** No engine names another engine: {@code root.engine.x} never depends on {@code root.engine.y}. */
    static ArchRule enginesAreIndependent(String root) {
        return slices().matching(root + ".engine.(*)..").namingSlices("engine $1")
                .should().notDependOnEachOther()
                .as("no engine depends on another engine");
    }

    /** The server serves any ChatModel and names no engine class. */
    static ArchRule serverNamesNoEngine(String root) {
        return noClasses().that().resideInAPackage(root + ".server..")
                .should().dependOnClassesThat().resideInAPackage(root + ".engine..")
                .as("the server names no engine");
    }

    /**
     * No cycles between packages: each package is its own slice, except that sdk-api counts as one.
     *
     * <p>sdk-api's packages have always referred to each other (its static factories such as
     * {@code Dataset.load} and {@code Engines.get} find their implementation through {@code spi},
     * whose interfaces return those same types; {@code model.Engine} makes a {@code train.Trainer}
     * whose {@code fit} takes a {@code model.BaseModel}). Untangling them would move public types,
     * a breaking change; so the dependencies among sdk-api's own packages are not counted here. As
     * sdk-api depends on no other Kefu package, no cycle can pass through it and another module.
     */
    static ArchRule noPackageCycles(String root) {
        return slices().matching("(" + root + "..)").namingSlices("$1")
                .should().beFreeOfCycles()
                .ignoreDependency(api(root), api(root))
                .as("no package cycles (sdk-api's packages counted as one)");
    }

    /**
     * The direction of the module dependencies. Every class under the root must belong to a module
     * (a new top-level package is an error until it is placed here); bench may be absent.
     */
    static ArchRule moduleDirections(String root) {
        return layeredArchitecture().consideringOnlyDependenciesInLayers()
                .withOptionalLayers(true)
                .ensureAllClassesAreContainedInArchitecture()
                .layer("sdk-api").definedBy(api(root))
                .layer("runtime").definedBy(root + ".runtime..")
                .layer("shop").definedBy(root + ".shop..")
                .layer("eval").definedBy(evalModule(root))
                .layer("engine-remote").definedBy(root + ".engine.remote..")
                .layer("engines").definedBy(localEngines(root))
                .layer("langchain4j").definedBy(root + ".langchain4j..")
                .layer("server").definedBy(root + ".server..")
                .layer("kernel").definedBy(root + ".notebook..")
                .layer("bench").definedBy(root + ".bench..")
                .layer("cli").definedBy(root + ".cli..")

                .whereLayer("sdk-api").mayNotAccessAnyLayer()
                .whereLayer("runtime").mayOnlyAccessLayers("sdk-api")
                .whereLayer("shop").mayOnlyAccessLayers("sdk-api", "runtime")
                .whereLayer("eval").mayOnlyAccessLayers("sdk-api", "runtime", "shop")
                .whereLayer("engine-remote").mayOnlyAccessLayers("sdk-api")
                .whereLayer("engines").mayOnlyAccessLayers("sdk-api", "runtime")
                .whereLayer("langchain4j").mayOnlyAccessLayers("sdk-api")
                .whereLayer("server").mayOnlyAccessLayers("sdk-api", "runtime", "shop", "eval")
                .whereLayer("kernel").mayNotAccessAnyLayer()   // a shaded jar that must not carry Kefu itself
                .whereLayer("bench").mayOnlyAccessLayers("sdk-api", "runtime", "shop", "eval", "engine-remote",
                        "engines", "langchain4j", "server")
                // cli may use every layer; only the serving benchmark and cli use server, only cli bench
                .whereLayer("server").mayOnlyBeAccessedByLayers("bench", "cli")
                .whereLayer("bench").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .as("module dependency directions");
    }
}
