package io.kefu.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code Host} header values a server answers to. A browser page from another site can make a browser send
 * requests to a loopback server, and with DNS rebinding even read the answers: its requests then carry the
 * attacker's name in {@code Host}. So a request is taken only when {@code Host} names
 * <ul>
 *   <li>the bound address with the listening port ({@code 127.0.0.1:8080}, {@code [::1]:8080}); on a loopback
 *       address also {@code localhost} with the port; on a wildcard address ({@code 0.0.0.0}, {@code ::}) any IP
 *       address literal with the port (such a server always has an API key), or</li>
 *   <li>one of the configured names ({@link ServerConfig.Builder#allowedHost(String)}, {@code --allowed-host}), with
 *       any port or none: the names a load balancer or DNS gives the server.</li>
 * </ul>
 * Names compare case-insensitively. No {@code Host} at all is 400, any other is 421 (Misdirected Request).
 */
final class AllowedHosts {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final String bind;
    private final InetAddress bound;
    private final Set<String> names;
    private volatile int port = -1;

    AllowedHosts(String bind, InetAddress bound, List<String> names) {
        this.bind = bind.toLowerCase(Locale.ROOT);
        this.bound = bound;
        this.names = new TreeSet<>();
        names.forEach(n -> this.names.add(n.toLowerCase(Locale.ROOT)));
    }

    /** Called once the server listens: the port every {@code Host} but the configured names must carry. */
    void listeningOn(int value) {
        this.port = value;
    }

    /** @throws ApiException 400 without a {@code Host}, 421 when it names neither this server nor a configured name */
    void check(String header) {
        if (header == null || header.isBlank()) {
            throw new ApiException(400, "invalid_request_error", "Host", "Host: the header is required");
        }
        if (!allowed(header.strip())) {
            throw new ApiException(421, "misdirected_request", "Host", "Host: '" + RequestGate.shorten(header)
                    + "' is not a name this server answers to; the operator can add it with --allowed-host");
        }
    }

    boolean allowed(String header) {
        String host;
        String portText = null;
        if (header.startsWith("[")) {
            int end = header.indexOf(']');
            if (end < 0) {
                return false;
            }
            host = header.substring(1, end);
            String rest = header.substring(end + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return false;
                }
                portText = rest.substring(1);
            }
        } else {
            int colon = header.indexOf(':');
            if (colon != header.lastIndexOf(':')) {
                return false;
            }
            host = colon < 0 ? header : header.substring(0, colon);
            portText = colon < 0 ? null : header.substring(colon + 1);
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (names.contains(host)) {
            return true;
        }
        if (portText == null || !portText.equals(String.valueOf(port))) {
            return false;
        }
        if (host.equals(bind) || (host.equals("localhost") && bound.isLoopbackAddress())) {
            return true;
        }
        InetAddress literal = literal(host);
        return literal != null && (literal.equals(bound) || bound.isAnyLocalAddress());
    }

    /** @return the address an IP literal names, or null for a host name (no DNS lookup is made) */
    private static InetAddress literal(String host) {
        if (!IPV4.matcher(host).matches() && !host.contains(":")) {
            return null;
        }
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
