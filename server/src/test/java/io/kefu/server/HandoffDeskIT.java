package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.shop.rules.RulesChatModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import static io.kefu.server.RulesServerIT.ask;
import static io.kefu.server.RulesServerIT.assertError;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hand-off desk over real HTTP on loopback (rules baseline, H2 store): hand-offs that {@code /chat} creates are
 * listed with their conversations, claimed and closed, announced on the feed, and shown by the {@code /desk} page in a
 * real headless Chromium, customer text as text.
 */
class HandoffDeskIT {
    private static final String KEY = "desk-staff-key-7f3a";

    @TempDir
    static Path temp;
    static KefuServer server;
    static Http staff;

    @BeforeAll
    static void start() {
        server = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl("jdbc:h2:file:" + temp.resolve("db/shop"))
                .shopFolder(RulesServerIT.SHOP).port(0).apiKey(KEY).build());
        // with a key, every route but /health and the desk page's files needs it, /chat included
        staff = new Http(server.port(), KEY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** @return the hand-off of {@code sessionId} in the list of {@code status}, or null */
    static JsonNode listed(Http http, String status, String sessionId) {
        Http.Reply list = http.get("/handoffs?status=" + status);
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        assertThat(list.json().get("status").asText()).isEqualTo(status);
        for (JsonNode h : list.json().get("handoffs")) {
            if (h.get("sessionId").asText().equals(sessionId)) {
                return h;
            }
        }
        return null;
    }

    @Test
    void aHandOffIsListedWithItsConversationThenClaimedAndClosed() {
        JsonNode first = staff.post("/chat", ask("雾蓝M码有货吗?", "1001", null)).json();
        String session = first.get("sessionId").asText();
        JsonNode second = staff.post("/chat", ask("我要投诉,裙子破了", "1001", session)).json();
        assertThat(second.get("handoff").asBoolean()).isTrue();

        JsonNode open = listed(staff, "open", session);
        assertThat(open).isNotNull();
        assertThat(open.get("reason").asText()).isEqualTo("complaint");
        assertThat(open.get("status").asText()).isEqualTo("open");
        assertThat(open.get("question").asText()).isEqualTo("我要投诉,裙子破了");
        assertThat(open.get("answer").asText()).isEqualTo(second.get("answer").asText());
        JsonNode conversation = open.get("conversation");
        assertThat(conversation).hasSize(2);
        assertThat(conversation.get(0).get("question").asText()).isEqualTo("雾蓝M码有货吗?");
        assertThat(conversation.get(0).get("answer").asText()).isEqualTo(first.get("answer").asText());
        assertThat(conversation.get(0).get("handoff").asBoolean()).isFalse();
        assertThat(conversation.get(1).get("question").asText()).isEqualTo("我要投诉,裙子破了");
        assertThat(conversation.get(1).get("handoff").asBoolean()).isTrue();
        long id = open.get("id").asLong();

        Http.Reply claim = staff.post("/handoffs/" + id + "/claim", "{}");
        assertThat(claim.status()).as(claim.body()).isEqualTo(200);
        assertThat(claim.json().get("status").asText()).isEqualTo("claimed");
        assertThat(claim.json().get("id").asLong()).isEqualTo(id);
        assertThat(listed(staff, "open", session)).isNull();
        assertThat(listed(staff, "claimed", session).get("id").asLong()).isEqualTo(id);
        Http.Reply again = staff.post("/handoffs/" + id + "/claim", "{}");
        assertError(again, 409, "id");
        assertThat(again.json().at("/error/message").asText()).contains("claimed already");

        Http.Reply close = staff.post("/handoffs/" + id + "/close", "{}");
        assertThat(close.status()).as(close.body()).isEqualTo(200);
        assertThat(close.json().get("status").asText()).isEqualTo("closed");
        assertThat(listed(staff, "claimed", session)).isNull();
        assertThat(listed(staff, "closed", session).get("id").asLong()).isEqualTo(id);
        assertError(staff.post("/handoffs/" + id + "/close", "{}"), 409, "id");
        assertError(staff.post("/handoffs/" + id + "/claim", "{}"), 409, "id");
    }

    @Test
    void badRequestsAreRefusedNamingTheirField() {
        assertError(staff.post("/handoffs/987654321/claim", "{}"), 404, "id");
        assertError(staff.post("/handoffs/987654321/close", "{}"), 404, "id");
        assertError(staff.post("/handoffs/abc/claim", "{}"), 400, "id");
        assertError(staff.post("/handoffs/-3/close", "{}"), 400, "id");
        assertError(staff.get("/handoffs?status=pending"), 400, "status");
        assertError(staff.get("/handoffs?limit=0"), 400, "limit");
        assertError(staff.get("/handoffs?limit=many"), 400, "limit");
        // without the key, or with another one, staff routes answer nothing
        Http anonymous = new Http(server.port());
        Http wrongKey = new Http(server.port(), KEY + "x");
        for (Http client : List.of(anonymous, wrongKey)) {
            assertThat(client.get("/handoffs?status=open").status()).isEqualTo(401);
            assertThat(client.get("/handoffs/feed").status()).isEqualTo(401);
            assertThat(client.post("/handoffs/1/claim", "{}").status()).isEqualTo(401);
            assertThat(client.post("/handoffs/1/close", "{}").status()).isEqualTo(401);
        }
    }

    @Test
    void aServerWithoutAKeyRefusesTheStaffRoutes() {
        try (KefuServer keyless = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel())
                .storeUrl("jdbc:h2:file:" + temp.resolve("keyless/shop")).shopFolder(RulesServerIT.SHOP).port(0).build())) {
            Http http = new Http(keyless.port());
            Http.Reply list = http.get("/handoffs?status=open");
            assertThat(list.status()).isEqualTo(403);
            assertThat(list.json().at("/error/message").asText()).contains("--api-key-file");
            assertThat(http.get("/handoffs/feed").status()).isEqualTo(403);
            assertThat(http.post("/handoffs/1/claim", "{}").status()).isEqualTo(403);
        }
    }

    @Test
    void anOpenFeedEndsWhenTheServerStops() throws Exception {
        KefuServer other = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel())
                .storeUrl("jdbc:h2:file:" + temp.resolve("stopping/shop")).shopFolder(RulesServerIT.SHOP).port(0).apiKey(KEY).build());
        try (SseLines feed = SseLines.open(new Http(other.port(), KEY), "/handoffs/feed")) {
            assertThat(feed.next(l -> l.equals("event: ready"), Duration.ofSeconds(20))).isNotNull();
            other.close();
            assertThat(feed.awaitEnd(Duration.ofSeconds(20))).as("the feed ended when the server stopped").isTrue();
        } finally {
            other.close();
        }
    }

    @Test
    void theDeskPageIsServedWithoutTheKeyAndCarriesNoData() {
        Http anonymous = new Http(server.port());
        Http.Reply page = anonymous.get("/desk");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.raw().headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        String csp = page.raw().headers().firstValue("Content-Security-Policy").orElse("");
        assertThat(csp).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline");
        assertThat(page.body()).contains("<script src=\"/desk.js\"").doesNotContain("<script>");
        assertThat(anonymous.get("/desk.js").raw().headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
        assertThat(anonymous.get("/desk.css").status()).isEqualTo(200);
        assertThat(anonymous.get("/desk/other").status()).isEqualTo(401);
    }

    @Test
    void theFeedAnnouncesANewHandOff() throws Exception {
        try (SseLines feed = SseLines.open(staff, "/handoffs/feed")) {
            assertThat(feed.response().statusCode()).isEqualTo(200);
            assertThat(feed.response().headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            assertThat(feed.next(l -> l.equals("event: ready"), Duration.ofSeconds(20))).isNotNull();
            JsonNode chat = staff.post("/chat", ask("我要投诉,快递把盒子压坏了", "1002", null)).json();
            assertThat(chat.get("handoff").asBoolean()).isTrue();
            String session = chat.get("sessionId").asText();
            List<String> event = new ArrayList<>();
            String data = feed.next(l -> event.add(l) && l.startsWith("data: ") && l.contains(session), Duration.ofSeconds(20));
            assertThat(data).as("the feed's lines: %s", event).isNotNull();
            JsonNode handoff = Http.JSON.readTree(data.substring("data: ".length()));
            assertThat(handoff.get("reason").asText()).isEqualTo("complaint");
            assertThat(handoff.get("question").asText()).isEqualTo("我要投诉,快递把盒子压坏了");
            assertThat(handoff.get("status").asText()).isEqualTo("open");
            assertThat(event).contains("event: handoff", "id: " + handoff.get("id").asLong());
            assertThat(listed(staff, "open", session).get("id").asLong()).isEqualTo(handoff.get("id").asLong());
        }
    }

    @Test
    void theDeskPageShowsHandOffsInARealBrowserAsText() throws Exception {
        String hostile = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">我要投诉,要退款";
        JsonNode before = staff.post("/chat", ask(hostile, "1001", null)).json();
        assertThat(before.get("handoff").asBoolean()).isTrue();
        long beforeId = listed(staff, "open", before.get("sessionId").asText()).get("id").asLong();
        String origin = "http://127.0.0.1:" + server.port();

        try (HeadlessChromium browser = HeadlessChromium.start()) {
            browser.open(origin + "/desk");
            // a wrong key is refused, and the sign-in form comes back
            browser.type(browser.find("#key"), "not-the-key");
            browser.click(browser.find("#sign-in button[type=submit]"));
            browser.waitUntil("return document.getElementById('message').textContent === 'The API key was not accepted.'"
                    + " && !document.getElementById('sign-in').hidden;", Duration.ofSeconds(30));
            assertThat(browser.script("return sessionStorage.length;").asInt()).isZero();

            browser.type(browser.find("#key"), KEY);
            browser.click(browser.find("#sign-in button[type=submit]"));
            String item = "document.querySelector('li.handoff[data-id=\"" + beforeId + "\"]')";
            browser.waitUntil("return " + item + " !== null;", Duration.ofSeconds(30));

            // the customer's markup is shown as the text it is, and none of it runs
            assertThat(browser.script("return " + item + ".querySelector('.trigger').textContent;").asText()).isEqualTo(hostile);
            assertThat(browser.script("return document.querySelectorAll('#queue script, #queue img').length;").asInt()).isZero();
            assertThat(browser.script("return typeof window.pwned;").asText()).isEqualTo("undefined");
            assertThat(browser.script("return " + item + ".querySelectorAll('.conversation li').length;").asInt()).isEqualTo(2);

            // a hand-off made after the page loaded arrives through the feed, without reloading the page
            browser.waitUntil("return document.getElementById('feed-state').textContent === 'live';", Duration.ofSeconds(30));
            browser.script("window.loadedOnce = 42; return null;");
            JsonNode after = staff.post("/chat", ask("转人工,我要找客服", "1003", null)).json();
            assertThat(after.get("handoff").asBoolean()).isTrue();
            long afterId = listed(staff, "open", after.get("sessionId").asText()).get("id").asLong();
            String live = "document.querySelector('li.handoff[data-id=\"" + afterId + "\"]')";
            browser.waitUntil("return " + live + " !== null;", Duration.ofSeconds(30));
            assertThat(browser.script("return window.loadedOnce;").asInt()).isEqualTo(42);
            assertThat(browser.script("return " + live + ".querySelector('.trigger').textContent;").asText()).isEqualTo("转人工,我要找客服");

            // claiming on the page claims on the server
            browser.click(browser.find("li.handoff[data-id=\"" + afterId + "\"] button.claim"));
            browser.waitUntil("return " + live + " === null;", Duration.ofSeconds(30));
            assertThat(listed(staff, "claimed", after.get("sessionId").asText()).get("id").asLong()).isEqualTo(afterId);

            // everything the page loaded came from this server
            JsonNode loaded = browser.script("return [location.href].concat(performance.getEntriesByType('resource').map(e => e.name));");
            List<String> urls = StreamSupport.stream(loaded.spliterator(), false).map(JsonNode::asText).toList();
            assertThat(urls).hasSizeGreaterThan(2).allSatisfy(url -> assertThat(url).startsWith(origin + "/"));
        }
    }
}
