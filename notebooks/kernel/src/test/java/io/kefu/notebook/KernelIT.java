package io.kefu.notebook;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.imageio.ImageIO;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the built kernel under real Jupyter ({@code jupyter_client} from Debian's Python) and checks
 * what a notebook front end sees: values, streams, rich display, magics, completion, inspection,
 * interrupt and error display. One kernel session runs every request, in order.
 */
class KernelIT {
    private static final Path DRIVER = Path.of("src/test/python/kernel_driver.py");
    private static final String XCHART = "org.knowm.xchart:xchart:3.8.8";

    @TempDir
    static Path dir;

    private static List<JsonObject> replies;

    private static final List<Map<String, Object>> REQUESTS = new ArrayList<>();

    private static int request(Map<String, Object> request) {
        REQUESTS.add(request);
        return REQUESTS.size() - 1;
    }

    private static int execute(String code) {
        return request(Map.of("op", "execute", "code", code));
    }

    private static final int VALUE = execute("int x = 40;\nx + 2");
    private static final int STREAMS = execute("System.out.println(\"hello \" + x);\nSystem.err.println(\"careful\");");
    private static final int NO_VALUE = execute("int unused = 1;");
    private static final int CHART = execute("%maven " + XCHART + "\n"
            + "import org.knowm.xchart.*;\n"
            + "var chart = new XYChartBuilder().width(320).height(200).title(\"loss\").build();\n"
            + "chart.addSeries(\"train\", new double[] {1, 2, 3}, new double[] {2.5, 1.2, 0.7});\n"
            + "chart");
    private static final int TABLE = execute("display(table(List.of(\"intent\", \"n\"),"
            + " List.of(List.of(\"<size>\", 12), List.of(\"退货\", 3))));");
    private static final int LIVE = execute("var live = displayLive(\"step 0\");\nlive.update(\"step 1\");");
    private static final int JARS = execute("%jars " + "JARS_GLOB" + "\nnew demo.Greeter().hello()");
    private static final int CLASSPATH = execute("%classpath " + "CLASSES_DIR" + "\nnew demo.Farewell().bye()");
    private static final int SHADED = execute("Class.forName(\"com.google.gson.Gson\")");
    private static final int THROWS = execute("int ratio(int a) {\n    return 10 / a;\n}\n\nint y = 1;\nratio(y - 1)");
    private static final int COMPILE_ERROR = execute("int fine = 1;\nString s = 5;");
    private static final int BAD_MAGIC = execute("%maven not-coordinates");
    private static final int INTERRUPT = request(Map.of("op", "execute", "code",
            "long spins = 0;\nwhile (true) { spins++; }", "interrupt_after", 3));
    private static final int AFTER_INTERRUPT = execute("x * 2");
    private static final int COMPLETE = complete("\"hello\".subs");
    private static final int COMPLETE_VAR = complete("%maven " + XCHART + "\nchart.getTit");
    private static final int INSPECT = request(Map.of("op", "inspect", "code", "Math.max", "cursor", 6));

    private static int complete(String code) {
        return request(Map.of("op", "complete", "code", code, "cursor", code.length()));
    }

    @BeforeAll
    static void runKernel() throws Exception {
        Path jar = builtKernelJar();
        Path kernels = dir.resolve("jupyter/kernels");
        KernelSpec.install(kernels, jar, Path.of(System.getProperty("java.home"), "bin", "java"), null);
        Path jars = dir.resolve("lib");
        Path classes = dir.resolve("classes");
        buildDemoClasses(jars, classes);

        String json = new Gson().toJson(REQUESTS)
                .replace("JARS_GLOB", jars.resolve("*.jar").toString())
                .replace("CLASSES_DIR", classes.toString());
        ProcessBuilder builder = new ProcessBuilder("/usr/bin/python3", DRIVER.toAbsolutePath().toString(), KernelSpec.NAME)
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("driver.log").toFile()));
        builder.environment().put("JUPYTER_PATH", dir.resolve("jupyter").toString());
        builder.environment().put("PYDEVD_DISABLE_FILE_VALIDATION", "1");
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(json.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue())
                .as("driver failed: %s", Files.readString(dir.resolve("driver.log")))
                .isZero();
        replies = new ArrayList<>();
        for (JsonElement reply : JsonParser.parseString(out).getAsJsonArray()) {
            replies.add(reply.getAsJsonObject());
        }
        assertThat(replies).hasSize(REQUESTS.size());
    }

    @Test
    void lastExpressionIsTheResult() {
        assertThat(result(VALUE).get("text/plain").getAsString()).isEqualTo("42");
        assertThat(outputs(NO_VALUE)).isEmpty();
    }

    @Test
    void standardStreamsAreStreamed() {
        assertThat(stream(STREAMS, "stdout")).isEqualTo("hello 40\n");
        assertThat(stream(STREAMS, "stderr")).isEqualTo("careful\n");
    }

    @Test
    void mavenMagicResolvesAndChartsDisplayAsPng() throws IOException {
        assertThat(status(CHART)).isEqualTo("ok");
        assertThat(stream(CHART, "stdout")).startsWith("%maven: added ");
        byte[] png = Base64.getDecoder().decode(result(CHART).get("image/png").getAsString());
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getWidth()).isEqualTo(320);
        assertThat(image.getHeight()).isEqualTo(200);
    }

    @Test
    void tablesDisplayAsEscapedHtml() {
        JsonObject data = output(TABLE, "display_data").getAsJsonObject("data");
        assertThat(data.get("text/html").getAsString())
                .contains("<th>intent</th><th>n</th>")
                .contains("<td>&lt;size&gt;</td><td>12</td>")
                .contains("<td>退货</td><td>3</td>");
        assertThat(data.get("text/plain").getAsString()).contains("退货");
    }

    @Test
    void liveDisplaysAreUpdatedInPlace() {
        JsonObject shown = output(LIVE, "display_data");
        JsonObject updated = output(LIVE, "update_display_data");
        assertThat(shown.getAsJsonObject("data").get("text/plain").getAsString()).isEqualTo("step 0");
        assertThat(updated.getAsJsonObject("data").get("text/plain").getAsString()).isEqualTo("step 1");
        assertThat(shown.get("display_id").getAsString()).isNotBlank().isEqualTo(updated.get("display_id").getAsString());
    }

    @Test
    void jarsAndClasspathMagicsAddUserCode() {
        assertThat(result(JARS).get("text/plain").getAsString()).isEqualTo("hello from a jar");
        assertThat(result(CLASSPATH).get("text/plain").getAsString()).isEqualTo("bye from a folder");
    }

    @Test
    void kernelLibrariesAreShadedAwayFromUserCode() {
        JsonObject error = output(SHADED, "error");
        assertThat(error.get("evalue").getAsString()).contains("ClassNotFoundException").contains("com.google.gson.Gson");
    }

    @Test
    void exceptionsShowTheUsersFramesOnly() {
        JsonObject error = output(THROWS, "error");
        assertThat(error.get("ename").getAsString()).isEqualTo("EvaluationError");
        List<String> traceback = traceback(error);
        assertThat(traceback.get(0)).contains("java.lang.ArithmeticException: / by zero");
        assertThat(traceback).containsExactly(traceback.get(0), "    at ratio (cell line 2)", "    at cell line 6");
    }

    @Test
    void compileErrorsPointAtTheCellLine() {
        JsonObject error = output(COMPILE_ERROR, "error");
        assertThat(error.get("ename").getAsString()).isEqualTo("CompilationError");
        assertThat(error.get("evalue").getAsString()).startsWith("line 2: incompatible types");
        assertThat(traceback(error)).contains("    String s = 5;", "               ^");
    }

    @Test
    void badMagicArgumentsAreReported() {
        JsonObject error = output(BAD_MAGIC, "error");
        assertThat(error.get("ename").getAsString()).isEqualTo("MagicError");
        assertThat(error.get("evalue").getAsString()).contains("not-coordinates").contains("groupId:artifactId");
    }

    @Test
    void interruptStopsTheCellAndKeepsTheSession() {
        assertThat(output(INTERRUPT, "error").get("ename").getAsString()).isEqualTo("Interrupted");
        assertThat(result(AFTER_INTERRUPT).get("text/plain").getAsString()).isEqualTo("80");
    }

    @Test
    void completionUsesJShellAnalysis() {
        JsonObject reply = replies.get(COMPLETE);
        assertThat(strings(reply.getAsJsonArray("matches"))).contains("substring(");
        assertThat(reply.get("cursor_start").getAsInt()).isEqualTo(8);
        assertThat(reply.get("cursor_end").getAsInt()).isEqualTo(12);
        JsonObject onVariable = replies.get(COMPLETE_VAR);
        assertThat(strings(onVariable.getAsJsonArray("matches"))).contains("getTitle()");
    }

    @Test
    void inspectionShowsSignatures() {
        JsonObject reply = replies.get(INSPECT);
        assertThat(reply.get("found").getAsBoolean()).isTrue();
        assertThat(reply.getAsJsonObject("data").get("text/plain").getAsString())
                .contains("int Math.max(int a, int b)")
                .contains("double Math.max(double a, double b)");
    }

    private static Path builtKernelJar() throws IOException {
        try (var files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("kefu-kernel-.*\\.jar"))
                    .filter(p -> !p.getFileName().toString().matches(".*-(sources|javadoc)\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no shaded kernel jar in target/: run the package phase"));
        }
    }

    /** demo.Greeter packed in lib/greeter.jar, demo.Farewell left in the classes folder. */
    private static void buildDemoClasses(Path jars, Path classes) throws IOException {
        Path src = dir.resolve("src/demo");
        Files.createDirectories(src);
        Files.writeString(src.resolve("Greeter.java"),
                "package demo; public class Greeter { public String hello() { return \"hello from a jar\"; } }");
        Files.writeString(src.resolve("Farewell.java"),
                "package demo; public class Farewell { public String bye() { return \"bye from a folder\"; } }");
        Path jarClasses = dir.resolve("jar-classes");
        compile(jarClasses, src.resolve("Greeter.java"));
        compile(classes, src.resolve("Farewell.java"));
        Files.createDirectories(jars);
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(jars.resolve("greeter.jar")))) {
            jar.putNextEntry(new JarEntry("demo/Greeter.class"));
            jar.write(Files.readAllBytes(jarClasses.resolve("demo/Greeter.class")));
            jar.closeEntry();
        }
    }

    private static void compile(Path out, Path source) throws IOException {
        Files.createDirectories(out);
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", out.toString(), source.toString());
        assertThat(rc).isZero();
    }

    private static String status(int index) {
        return replies.get(index).get("status").getAsString();
    }

    private static List<JsonObject> outputs(int index) {
        List<JsonObject> list = new ArrayList<>();
        replies.get(index).getAsJsonArray("outputs").forEach(e -> list.add(e.getAsJsonObject()));
        return list;
    }

    private static JsonObject output(int index, String type) {
        return outputs(index).stream()
                .filter(o -> o.get("type").getAsString().equals(type))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " output in " + replies.get(index)));
    }

    private static JsonObject result(int index) {
        return output(index, "execute_result").getAsJsonObject("data");
    }

    private static String stream(int index, String name) {
        StringBuilder text = new StringBuilder();
        for (JsonObject o : outputs(index)) {
            if (o.get("type").getAsString().equals("stream") && o.get("name").getAsString().equals(name)) {
                text.append(o.get("text").getAsString());
            }
        }
        return text.toString();
    }

    /** Traceback lines without terminal colours. */
    private static List<String> traceback(JsonObject error) {
        return strings(error.getAsJsonArray("traceback")).stream()
                .map(line -> line.replaceAll("\u001b\\[[0-9;]*m", ""))
                .toList();
    }

    private static List<String> strings(JsonArray array) {
        List<String> list = new ArrayList<>();
        array.forEach(e -> list.add(e.getAsString()));
        return list;
    }
}
