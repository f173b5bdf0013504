package io.kefu.server;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /desk}: the hand-off desk, one static page with one small script and a style sheet, where a person from
 * customer service signs in with the server's API key, sees the queue with each conversation, claims and closes
 * hand-offs, and sees new ones arrive live. The files hold no data, so they are served without the key (a browser
 * cannot send one when it opens a page); everything they show comes from {@link HandoffRoutes}, which needs it.
 *
 * <p>The script puts customer text in the page only as text ({@code textContent}), never as markup. On top of that the
 * page is sent with a Content-Security-Policy that runs no inline script and loads nothing from anywhere but this
 * server, and it may not be framed.
 */
final class DeskPage {
    static final String PATH = "/desk";
    private static final String SCRIPT = "/desk.js";
    private static final String STYLE = "/desk.css";
    /** The files of the page: served without the API key. */
    static final Set<String> PUBLIC_PATHS = Set.of(PATH, SCRIPT, STYLE);
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
            + " img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private record Asset(String contentType, byte[] bytes) {
    }

    private final Map<String, Asset> assets = Map.of(
            PATH, new Asset("text/html; charset=utf-8", read("desk.html")),
            SCRIPT, new Asset("text/javascript; charset=utf-8", read("desk.js")),
            STYLE, new Asset("text/css; charset=utf-8", read("desk.css")));

    void addTo(RoutesConfig routes) {
        assets.keySet().forEach(path -> routes.get(path, this::serve));
    }

    private void serve(Context ctx) {
        Asset asset = assets.get(ctx.path());
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-store");
        ctx.status(200).contentType(asset.contentType()).result(asset.bytes());
    }

    private static byte[] read(String name) {
        try (InputStream in = DeskPage.class.getResourceAsStream("desk/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the desk page's file desk/" + name + " is missing from the server's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the desk page's file desk/" + name, e);
        }
    }
}
