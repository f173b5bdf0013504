package io.kefu.apicheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.KefuException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Keeps sdk-api compatible: every signature in the committed baseline ({@value #BASELINE}) must still
 * be in the compiled classes. A missing one fails the build and is named; new ones are only printed.
 *
 * <p>After an intended change, regenerate the baseline with {@value #UPDATE} and commit it.
 */
class ApiCompatibilityTest {

    static final String BASELINE = "api/sdk-api.signatures.txt";
    static final String UPDATE = "./mvnw -pl sdk-api test -Dkefu.api.update=true";

    private static final String HEADER = """
            # The public API of io.kefu:sdk-api, one line per public or protected type, supertype, constructor,
            # method and field, with types erased. ApiCompatibilityTest fails when a line here is missing from
            # the compiled classes. After an intended change, regenerate this file and commit it:
            #   %s
            """.formatted(UPDATE);

    @Test
    void everyBaselineSignatureIsStillThere() throws IOException {
        SortedSet<String> current = currentSignatures();
        assertThat(current).as("the signatures read from sdk-api's classes")
                .contains("io.kefu.KefuException: public io.kefu.ErrorCode code()");
        Path baseline = moduleDir().resolve(BASELINE);

        if (Boolean.getBoolean("kefu.api.update")) {
            Set<String> old = Files.exists(baseline) ? read(baseline) : Set.of();
            report(ApiDiff.between(old, current));
            Files.createDirectories(baseline.getParent());
            Files.writeString(baseline, HEADER + String.join("\n", current) + "\n");
            System.out.println("API baseline written: " + baseline);
            return;
        }
        assertThat(baseline).as("the API baseline; create it with: " + UPDATE).exists();
        ApiDiff diff = ApiDiff.between(read(baseline), current);
        report(diff);
        if (diff.breaks()) {
            throw new AssertionError(diff.describeBreaks(BASELINE, UPDATE));
        }
    }

    @Test
    void aRemovedMethodIsReportedByName() {
        SortedSet<String> current = currentSignatures();
        Set<String> baseline = new TreeSet<>(current);
        String gone = "io.kefu.KefuException: public java.lang.String hint(int)";
        baseline.add(gone);

        ApiDiff diff = ApiDiff.between(baseline, current);

        assertThat(diff.breaks()).isTrue();
        assertThat(diff.removed()).containsExactly(gone);
        assertThat(diff.describeBreaks(BASELINE, UPDATE)).contains("  - " + gone).contains(UPDATE);
    }

    @Test
    void aChangedSignatureIsReportedAsRemoved() {
        SortedSet<String> current = currentSignatures();
        String real = "io.kefu.KefuException: public io.kefu.ErrorCode code()";
        Set<String> baseline = new TreeSet<>(current);
        baseline.remove(real);
        baseline.add("io.kefu.KefuException: public java.lang.String code()");

        ApiDiff diff = ApiDiff.between(baseline, current);

        assertThat(diff.removed()).containsExactly("io.kefu.KefuException: public java.lang.String code()");
        assertThat(diff.added()).containsExactly(real);
    }

    @Test
    void additionsDoNotBreak() {
        SortedSet<String> current = currentSignatures();
        Set<String> baseline = new TreeSet<>(current);
        baseline.remove("io.kefu.KefuException: public io.kefu.ErrorCode code()");

        ApiDiff diff = ApiDiff.between(baseline, current);

        assertThat(diff.breaks()).isFalse();
        assertThat(diff.added()).containsExactly("io.kefu.KefuException: public io.kefu.ErrorCode code()");
    }

    private static void report(ApiDiff diff) {
        diff.added().forEach(line -> System.out.println("API addition: " + line));
        diff.removed().forEach(line -> System.out.println("API removal: " + line));
    }

    /** The signatures of sdk-api's main classes (the folder or jar that holds {@link KefuException}). */
    private static SortedSet<String> currentSignatures() {
        try {
            Path location = Path.of(KefuException.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return ApiSignatures.ofClassesIn(location, KefuException.class.getClassLoader());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> read(Path baseline) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(baseline)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                lines.add(line.strip());
            }
        }
        return new TreeSet<>(lines);
    }

    private static Path moduleDir() {
        return Path.of(System.getProperty("basedir", "."));
    }
}
