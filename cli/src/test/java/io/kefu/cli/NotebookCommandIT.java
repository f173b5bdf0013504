package io.kefu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kefu notebook install|run} with Debian's Jupyter: every committed notebook executes headless
 * with the Kefu kernel without a cell error, and the committed copies carry no outputs.
 */
class NotebookCommandIT {
    private static final Path REPO = Path.of(System.getProperty("kefu.repo.dir", "..")).toAbsolutePath().normalize();
    private static final String JUPYTER = "/usr/bin/jupyter";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private record Result(int exitCode, String out, String err) {}

    private static Result kefu(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = KefuCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void everyCommittedNotebookRunsWithoutCellErrors() throws IOException {
        List<Path> notebooks = committedNotebooks();
        assertThat(notebooks).isNotEmpty();
        Path out = dir.resolve("executed");

        Result result = kefu("notebook", "run", "--out", out.toString(), "--jupyter", JUPYTER, "--kefu-home", REPO.toString());

        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains(notebooks.size() + " passed, 0 failed");
        for (Path notebook : notebooks) {
            JsonNode executed = JSON.readTree(out.resolve(notebook.getFileName()).toFile());
            List<String> outputTypes = new ArrayList<>();
            for (JsonNode cell : executed.get("cells")) {
                for (JsonNode output : cell.path("outputs")) {
                    outputTypes.add(output.get("output_type").asText());
                    assertThat(output.get("output_type").asText()).as(notebook + ": " + output).isNotEqualTo("error");
                }
            }
            assertThat(outputTypes).as(notebook.toString()).contains("execute_result");
            String text = Files.readString(out.resolve(notebook.getFileName()), StandardCharsets.UTF_8);
            assertThat(text).as(notebook + " shows a table").contains("\"text/html\"");
        }
        String data = Files.readString(out.resolve("01-data.ipynb"), StandardCharsets.UTF_8);
        assertThat(data).as("01-data shows charts").contains("\"image/png\"");
    }

    @Test
    void committedNotebooksCarryNoOutputs() throws IOException {
        for (Path notebook : committedNotebooks()) {
            JsonNode json = JSON.readTree(notebook.toFile());
            assertThat(json.at("/metadata/kernelspec/name").asText()).isEqualTo("kefu-java");
            for (JsonNode cell : json.get("cells")) {
                if (cell.get("cell_type").asText().equals("code")) {
                    assertThat(cell.get("outputs")).as(notebook.toString()).isEmpty();
                    assertThat(cell.get("execution_count").isNull()).as(notebook.toString()).isTrue();
                }
            }
        }
    }

    @Test
    void aCellErrorFailsTheRun() throws IOException {
        Path notebook = dir.resolve("broken.ipynb");
        Files.writeString(notebook, """
                {"cells": [{"cell_type": "code", "execution_count": null, "id": "a", "metadata": {}, "outputs": [],
                  "source": ["int n = Integer.parseInt(\\"not a number\\");"]}],
                 "metadata": {"kernelspec": {"display_name": "Java (Kefu)", "language": "java", "name": "kefu-java"}},
                 "nbformat": 4, "nbformat_minor": 5}
                """);
        Path out = dir.resolve("out");

        Result result = kefu("notebook", "run", "--out", out.toString(), "--jupyter", JUPYTER, notebook.toString());

        assertThat(result.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(result.out()).contains("FAILED  broken.ipynb").contains("NumberFormatException").contains("0 passed, 1 failed");
        assertThat(out.resolve("broken.ipynb")).doesNotExist();
    }

    @Test
    void installWritesAKernelspecJupyterFinds() throws Exception {
        Path prefix = dir.resolve("prefix");

        Result result = kefu("notebook", "install", "--prefix", prefix.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        Path spec = prefix.resolve("share/jupyter/kernels/kefu-java");
        assertThat(result.out()).contains("installed kernel 'kefu-java' (Java (Kefu)) in " + spec);
        JsonNode kernel = JSON.readTree(spec.resolve("kernel.json").toFile());
        assertThat(kernel.get("display_name").asText()).isEqualTo("Java (Kefu)");
        assertThat(kernel.get("language").asText()).isEqualTo("java");
        assertThat(kernel.get("interrupt_mode").asText()).isEqualTo("message");
        List<String> argv = new ArrayList<>();
        kernel.get("argv").forEach(a -> argv.add(a.asText()));
        assertThat(argv).contains("-jar", spec.resolve("kefu-kernel.jar").toString(), "{connection_file}");
        assertThat(argv.get(argv.size() - 1)).isEqualTo("{connection_file}");
        assertThat(spec.resolve("kefu-kernel.jar")).isRegularFile();

        ProcessBuilder list = new ProcessBuilder(JUPYTER, "kernelspec", "list", "--json").redirectErrorStream(false);
        list.environment().put("JUPYTER_PATH", prefix.resolve("share/jupyter").toString());
        list.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = list.start();
        String listed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(JSON.readTree(listed).at("/kernelspecs/kefu-java/spec/display_name").asText()).isEqualTo("Java (Kefu)");
    }

    @Test
    void installRejectsConflictingLocations() {
        Result result = kefu("notebook", "install", "--user", "--prefix", dir.toString());
        assertThat(result.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(result.err()).contains("mutually exclusive");
    }

    private static List<Path> committedNotebooks() throws IOException {
        List<Path> notebooks = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(REPO.resolve("notebooks"), "*.ipynb")) {
            files.forEach(notebooks::add);
        }
        notebooks.sort(null);
        return notebooks;
    }
}
