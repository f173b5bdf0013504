package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real headless Chromium (Debian's {@code chromium}) driven through Debian's {@code chromedriver} with the W3C
 * WebDriver protocol, spoken over the JDK's HTTP client: open a page, find elements, type, click, run a script.
 *
 * <p>The browser may reach nothing but loopback: its background services (updates, sync, safe browsing, metrics,
 * translation ...) are off, every host name but {@code localhost} fails to resolve, and whatever is not loopback is sent
 * to a proxy on a closed loopback port.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final Pattern STARTED = Pattern.compile("started successfully on port (\\d+)");
    private static final List<String> LOOPBACK_ONLY_ARGS = List.of("--headless=new", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--disable-extensions", "--disable-domain-reliability",
            "--disable-client-side-phishing-detection", "--disable-breakpad", "--disable-crash-reporter", "--metrics-recording-only",
            "--safebrowsing-disable-auto-update", "--disable-pings", "--no-pings",
            "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication,"
                    + "CertificateTransparencyComponentUpdater,NetworkTimeServiceQuerying,InterestFeedContentSuggestions",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1", "--proxy-server=http://127.0.0.1:9");

    private final Process driver;
    private final Path profile;
    private final String base;
    private final String session;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HeadlessChromium(Process driver, Path profile, String base) {
        this.driver = driver;
        this.profile = profile;
        this.base = base;
        this.session = startSession();
    }

    /** Starts chromedriver on a free loopback port and opens a browser session. */
    static HeadlessChromium start() throws IOException {
        Path chromedriver = firstExisting(Path.of("/usr/bin/chromedriver"), Path.of("/usr/lib/chromium/chromedriver"));
        if (chromedriver == null) {
            throw new IllegalStateException("chromedriver is not installed: install the Debian packages 'chromium' and 'chromium-driver'"
                    + " (scripts/test-prerequisites.sh does it when run as root)");
        }
        Path profile = Files.createTempDirectory("kefu-chromium");
        Process driver = new ProcessBuilder(chromedriver.toString(), "--port=0", "--log-level=WARNING").redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
            try {
                StringBuilder seen = new StringBuilder();
                for (String line; (line = out.readLine()) != null; ) {
                    seen.append(line).append('\n');
                    Matcher m = STARTED.matcher(line);
                    if (m.find()) {
                        return Integer.parseInt(m.group(1));
                    }
                }
                throw new IllegalStateException("chromedriver exited without saying its port:\n" + seen);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            int p = port.get(30, TimeUnit.SECONDS);
            // keep reading what it writes, so it never blocks on a full pipe
            Thread drain = new Thread(() -> out.lines().forEach(line -> { }), "chromedriver-output");
            drain.setDaemon(true);
            drain.start();
            return new HeadlessChromium(driver, profile, "http://127.0.0.1:" + p);
        } catch (Exception e) {
            driver.destroyForcibly();
            throw new IllegalStateException("chromedriver did not start", e);
        }
    }

    private static Path firstExisting(Path... candidates) {
        return Stream.of(candidates).filter(Files::isExecutable).findFirst().orElse(null);
    }

    private String startSession() {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode always = body.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        ObjectNode chrome = always.putObject("goog:chromeOptions");
        Path binary = firstExisting(Path.of("/usr/lib/chromium/chromium"), Path.of("/usr/bin/chromium"));
        if (binary == null) {
            throw new IllegalStateException("chromium is not installed: install the Debian package 'chromium'");
        }
        chrome.put("binary", binary.toString());
        List<String> args = new ArrayList<>(LOOPBACK_ONLY_ARGS);
        args.add("--user-data-dir=" + profile);
        if ("root".equals(System.getProperty("user.name"))) {
            args.add("--no-sandbox"); // Chromium's sandbox refuses to run as root
        }
        args.forEach(chrome.withArray("args")::add);
        return call("POST", "/session", body).get("sessionId").asText();
    }

    /** Opens {@code url} and waits for it to load. */
    void open(String url) {
        call("POST", "/session/" + session + "/url", JSON.createObjectNode().put("url", url));
    }

    /** @return the id of the first element {@code css} selects */
    String find(String css) {
        ObjectNode query = JSON.createObjectNode().put("using", "css selector").put("value", css);
        return call("POST", "/session/" + session + "/element", query).get(ELEMENT).asText();
    }

    /** Types {@code text} into an element, key by key. */
    void type(String element, String text) {
        call("POST", "/session/" + session + "/element/" + element + "/value", JSON.createObjectNode().put("text", text));
    }

    /** Clicks an element, as a mouse does. */
    void click(String element) {
        call("POST", "/session/" + session + "/element/" + element + "/click", JSON.createObjectNode());
    }

    /** @return what the script returns (its body is a function body: {@code return ...;}) */
    JsonNode script(String body) {
        ObjectNode request = JSON.createObjectNode().put("script", body);
        request.putArray("args");
        return call("POST", "/session/" + session + "/execute/sync", request);
    }

    /** Runs {@code condition} (a script returning true or false) until it holds, or fails after {@code limit}. */
    void waitUntil(String condition, Duration limit) throws InterruptedException {
        long until = System.nanoTime() + limit.toNanos();
        while (!script(condition).asBoolean(false)) {
            if (System.nanoTime() > until) {
                throw new AssertionError("the page did not come to '" + condition + "' within " + limit.toSeconds()
                        + " s; the page shows:\n" + script("return document.body.innerText;").asText());
            }
            Thread.sleep(100);
        }
    }

    private JsonNode call(String method, String path, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode value = JSON.readTree(response.body()).get("value");
            if (response.statusCode() != 200) {
                throw new IllegalStateException("WebDriver " + method + " " + path + " failed (" + response.statusCode() + "): " + value);
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("WebDriver " + method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Ends the session (the browser quits), stops chromedriver and deletes the profile. */
    @Override
    public void close() {
        try {
            call("DELETE", "/session/" + session, null);
        } catch (RuntimeException e) {
            // the driver is stopped below either way
        } finally {
            driver.destroy();
            try {
                if (!driver.waitFor(10, TimeUnit.SECONDS)) {
                    driver.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary folder left behind
            }
        }
    }
}
