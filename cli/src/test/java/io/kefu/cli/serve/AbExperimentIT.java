package io.kefu.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.cli.Cli;
import io.kefu.eval.ab.ArmAssigner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A three-arm A/B test as a shop runs it: {@code kefu serve --arm a=rules:20 --arm b=rules:30 --arm c=rules:50} on
 * loopback, 3,000 customer sessions over HTTP with conversions through {@code POST /events}, then
 * {@code kefu ab report --store} read from the store the server wrote and checked against a computation by hand on the
 * same rows.
 */
class AbExperimentIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SESSIONS = 3000;
    private static final String EXPERIMENT = "three-arms";
    private static final List<String> QUESTIONS = List.of("有优惠吗?", "M码有货吗?", "我要找人工客服", "几天发货?", "我要投诉,质量太差了");
    /** How often each arm's customers order: different, so the arms differ. */
    private static final Map<String, Double> ORDER_RATE = Map.of("a", 0.10, "b", 0.12, "c", 0.15);

    @TempDir
    Path dir;

    /** One customer's session as the client saw it. */
    private record Seen(String session, String arm, boolean ordered) {
    }

    @Test
    void threeArmsSplitByTheirWeightsAndTheReportIsTheHandComputation() throws Exception {
        String store = "jdbc:h2:file:" + dir.resolve("store/shop");
        URI base = ServeCommandIT.serve("serve", "--engine", "rules", "--store", store, "--shop", ServeCommandIT.SHOP.toString(),
                "--arm", "a=rules:20", "--arm", "b=rules:30", "--arm", "c=rules:50", "--experiment", EXPERIMENT);
        HttpClient client = HttpClient.newHttpClient();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Seen>> sessions = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            int index = i;
            sessions.add(pool.submit(() -> customer(client, base, index)));
        }
        List<Seen> seen = new ArrayList<>();
        for (Future<Seen> s : sessions) {
            seen.add(s.get(10, TimeUnit.MINUTES));
        }
        pool.shutdown();

        // sticky by the seeded hash: every session's arm is the assigner's, and is recorded as such
        Map<String, Double> weights = new LinkedHashMap<>();
        weights.put("a", 20.0);
        weights.put("b", 30.0);
        weights.put("c", 50.0);
        ArmAssigner assigner = new ArmAssigner(EXPERIMENT, weights);
        Map<String, Integer> perArm = new HashMap<>();
        for (Seen s : seen) {
            assertThat(s.arm()).isEqualTo(assigner.assign(s.session()));
            perArm.merge(s.arm(), 1, Integer::sum);
        }
        assertThat(seen.stream().map(Seen::session).distinct().count()).isEqualTo(SESSIONS);
        // the counts against 600 / 900 / 1500: chi-square with 2 degrees of freedom, P(X > x) = exp(-x / 2)
        double chi2 = 0;
        for (Map.Entry<String, Double> share : Map.of("a", 0.2, "b", 0.3, "c", 0.5).entrySet()) {
            double expected = SESSIONS * share.getValue();
            chi2 += Math.pow(perArm.getOrDefault(share.getKey(), 0) - expected, 2) / expected;
        }
        assertThat(Math.exp(-chi2 / 2)).as("split %s", perArm).isGreaterThan(1e-4);

        Rows rows = readRows(store);
        assertThat(rows.split).containsExactly("a=rules:20", "b=rules:30", "c=rules:50");
        for (Seen s : seen) {
            assertThat(rows.assignments.get(s.session())).isEqualTo(s.arm());
        }
        assertThat(rows.assignments).hasSize(SESSIONS);

        // the report runs in this JVM, which also runs the server; closing its store shuts the embedded H2 database down,
        // so it comes after the last request
        Cli.Result report = Cli.run("ab", "report", "--store", store, "--experiment", EXPERIMENT, "--p1", "0.125", "--p2", "0.135", "--json");
        assertThat(report.exitCode()).as(report.err()).isZero();
        JsonNode json = JSON.readTree(report.out());
        assertThat(json.get("split").asText()).isEqualTo("a=rules:20,b=rules:30,c=rules:50");

        // by hand, from the rows of ab_events
        Map<String, Set<String>> armSessions = new HashMap<>();
        Map<String, Set<String>> armConversions = new HashMap<>();
        Map<String, List<long[]>> armTurns = new HashMap<>();
        for (String[] e : rows.events) {
            armSessions.computeIfAbsent(e[1], k -> new HashSet<>()).add(e[0]);
            if (Set.of("conversion", "order", "purchase").contains(e[2])) {
                armConversions.computeIfAbsent(e[1], k -> new HashSet<>()).add(e[0]);
            }
            if (e[2].equals("chat")) {
                armTurns.computeIfAbsent(e[1], k -> new ArrayList<>()).add(new long[] {Long.parseLong(e[3]), Long.parseLong(e[4]),
                        Long.parseLong(e[5])});
            }
        }
        List<String> arms = List.of("a", "b", "c");
        for (int i = 0; i < 3; i++) {
            String arm = arms.get(i);
            JsonNode a = json.get("arms").get(i);
            long n = armSessions.get(arm).size();
            long x = armConversions.get(arm).size();
            assertThat(a.get("arm").asText()).isEqualTo(arm);
            assertThat(a.get("sessions").asLong()).isEqualTo(n).isEqualTo((long) perArm.get(arm));
            assertThat(a.get("conversions").asLong()).isEqualTo(x)
                    .isEqualTo(seen.stream().filter(s -> s.arm().equals(arm) && s.ordered()).count());
            assertThat(a.get("rate").asDouble()).isEqualTo((double) x / n);
            assertThat(a.get("share").asDouble()).isEqualTo((double) n / SESSIONS);

            List<long[]> turns = armTurns.get(arm);
            JsonNode g = json.get("guardrails").get(i);
            long handoffs = turns.stream().filter(t -> t[0] == 1).count();
            assertThat(g.get("turns").asLong()).isEqualTo(turns.size());
            assertThat(g.get("handoffs").asLong()).isEqualTo(handoffs).isPositive();
            assertThat(g.get("handoffRate").asDouble()).isEqualTo((double) handoffs / turns.size());
            assertThat(g.get("complianceBlocks").asLong()).isEqualTo(turns.stream().filter(t -> t[1] == 1).count());
            long[] latencies = turns.stream().mapToLong(t -> t[2]).sorted().toArray();
            assertThat(g.get("latencyP95Ms").asLong()).isEqualTo(latencies[(int) Math.ceil(0.95 * latencies.length) - 1]);
        }
        long n0 = armSessions.get("a").size();
        long x0 = armConversions.get("a").size();
        for (int i = 1; i < 3; i++) {
            long n1 = armSessions.get(arms.get(i)).size();
            long x1 = armConversions.get(arms.get(i)).size();
            double p0 = (double) x0 / n0;
            double p1 = (double) x1 / n1;
            double pooled = (double) (x0 + x1) / (n0 + n1);
            double z = (p1 - p0) / Math.sqrt(pooled * (1 - pooled) * (1.0 / n0 + 1.0 / n1));
            double se = Math.sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1);
            JsonNode c = json.get("comparisons").get(i - 1);
            assertThat(c.get("control").asText()).isEqualTo("a");
            assertThat(c.get("treatment").asText()).isEqualTo(arms.get(i));
            assertThat(c.get("absoluteLift").asDouble()).isCloseTo(p1 - p0, within(1e-15));
            assertThat(c.get("z").asDouble()).isCloseTo(z, within(1e-12));
            assertThat(c.get("pValue").asDouble()).isCloseTo(2 * upperTail(Math.abs(z)), within(1e-9));
            assertThat(c.get("ciLow").asDouble()).isCloseTo(p1 - p0 - 1.959963984540054 * se, within(1e-12));
            assertThat(c.get("ciHigh").asDouble()).isCloseTo(p1 - p0 + 1.959963984540054 * se, within(1e-12));
        }
        // the article's plan, 12.5% -> 13.5% at alpha 0.05 and power 0.8, by the two-proportion formula
        double root = 1.959963984540054 * Math.sqrt(2 * 0.13 * 0.87) + 0.8416212335729143 * Math.sqrt(0.125 * 0.875 + 0.135 * 0.865);
        long perArmNeeded = (long) Math.ceil(root * root / (0.01 * 0.01));
        assertThat(json.at("/plan/perArm").asLong()).isEqualTo(perArmNeeded).isEqualTo(17753);
        for (String arm : arms) {
            assertThat(json.at("/plan/stillNeeded/" + arm).asLong()).isEqualTo(perArmNeeded - perArm.get(arm));
        }

        Cli.Result text = Cli.run("ab", "report", "--store", store);
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("experiment three-arms: a=rules:20,b=rules:30,c=rules:50").contains("b vs a").contains("c vs a")
                .contains("Guardrails").doesNotContain("Plan");
    }

    /** One customer: a question, for some a second turn (which must stay in the arm), for some an order (twice for a few). */
    private static Seen customer(HttpClient client, URI base, int index) throws Exception {
        SplittableRandom random = new SplittableRandom(index);
        JsonNode first = post(client, base.resolve("/chat"), Map.of("question", QUESTIONS.get(index % QUESTIONS.size()), "productId", "1001"));
        String session = first.get("sessionId").asText();
        String arm = first.get("arm").asText();
        if (index % 3 == 0) {
            JsonNode second = post(client, base.resolve("/chat"), Map.of("question", "L码呢?", "productId", "1001", "sessionId", session));
            assertThat(second.get("sessionId").asText()).isEqualTo(session);
            assertThat(second.get("arm").asText()).isEqualTo(arm);
        }
        if (index % 5 == 0) {
            assertThat(post(client, base.resolve("/events"), Map.of("sessionId", session, "event", "view")).get("arm").asText()).isEqualTo(arm);
        }
        boolean ordered = random.nextDouble() < ORDER_RATE.get(arm);
        if (ordered) {
            JsonNode event = post(client, base.resolve("/events"), Map.of("sessionId", session, "event", "order", "amount", 239));
            assertThat(event.get("arm").asText()).isEqualTo(arm);
            assertThat(event.get("experiment").asText()).isEqualTo(EXPERIMENT);
            if (index % 4 == 0) {
                post(client, base.resolve("/events"), Map.of("sessionId", session, "event", "purchase"));
            }
        }
        return new Seen(session, arm, ordered);
    }

    private static JsonNode post(HttpClient client, URI uri, Map<String, Object> body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8)).build();
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** What the store holds: the recorded split, the assignments and the A/B log, read with plain SQL. */
    private record Rows(List<String> split, Map<String, String> assignments, List<String[]> events) {
    }

    private static Rows readRows(String store) throws Exception {
        List<String> split = new ArrayList<>();
        Map<String, String> assignments = new ConcurrentHashMap<>();
        List<String[]> events = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(store + ";DB_CLOSE_DELAY=-1"); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT arm, answered_by, weight FROM ab_experiments WHERE experiment = '" + EXPERIMENT
                    + "' ORDER BY position")) {
                while (r.next()) {
                    split.add(r.getString(1) + "=" + r.getString(2) + ":" + r.getInt(3));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT session_id, arm FROM ab_assignments WHERE experiment = '" + EXPERIMENT + "'")) {
                while (r.next()) {
                    assignments.put(r.getString(1), r.getString(2));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT session_id, arm, event, handoff, compliance_blocked, latency_ms FROM ab_events"
                    + " WHERE experiment = '" + EXPERIMENT + "'")) {
                while (r.next()) {
                    events.add(new String[] {r.getString(1), r.getString(2), r.getString(3), r.getBoolean(4) ? "1" : "0",
                        r.getBoolean(5) ? "1" : "0", String.valueOf(r.getLong(6))});
                }
            }
        }
        return new Rows(split, assignments, events);
    }

    /** P(Z > z) for z >= 0, by Simpson's rule over the standard normal density (error far below 1e-12 at 20,000 steps). */
    private static double upperTail(double z) {
        int steps = 20_000;
        double h = z / steps;
        double sum = density(0) + density(z);
        for (int k = 1; k < steps; k++) {
            sum += (k % 2 == 1 ? 4 : 2) * density(k * h);
        }
        return 0.5 - sum * h / 3;
    }

    private static double density(double x) {
        return Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    }
}
