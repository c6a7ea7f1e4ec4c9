package io.agentpay.gateway.http;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands in front of the MCP endpoint, in this order: the {@code Origin} against the allow-list
 * (403; the spec's defence against DNS rebinding; no Origin is allowed, as non-browser clients
 * send none), CORS preflight for allowed origins, the bearer token (401 with
 * {@code WWW-Authenticate: Bearer}), the session's owner (a session answers only the token that opened
 * it: 404 to another, as for an unknown session), and {@code MCP-Protocol-Version} (400 when unsupported).
 * Every refusal is a JSON-RPC error body that says what to do; nothing sent is echoed back.
 */
final class RequestGuard implements Filter {
    static final String PROTOCOL_VERSION = "MCP-Protocol-Version";
    private static final String ALLOWED_HEADERS = "Authorization, Content-Type, Accept, Mcp-Session-Id, "
            + PROTOCOL_VERSION + ", Last-Event-ID";
    private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

    private static final String SESSION_ID = "Mcp-Session-Id";

    private final BearerTokens tokens;
    /** Which token opened each session (index into the configured tokens); empty when no token is configured. */
    private final Map<String, Integer> sessionOwners = new ConcurrentHashMap<>();
    private final List<String> allowedOrigins;
    private final Set<String> protocolVersions;

    RequestGuard(BearerTokens tokens, List<String> allowedOrigins, List<String> protocolVersions) {
        this.tokens = tokens;
        this.allowedOrigins = allowedOrigins;
        this.protocolVersions = Set.copyOf(protocolVersions);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String origin = request.getHeader("Origin");
        if (origin != null) {
            if (!originAllowed(origin)) {
                refuse(response, 403, "Origin not allowed: add it to MCP_ALLOWED_ORIGINS on the server to call it from that page.");
                return;
            }
            response.setHeader("Access-Control-Allow-Origin", origin);
            response.setHeader("Vary", "Origin");
            response.setHeader("Access-Control-Expose-Headers", "Mcp-Session-Id, WWW-Authenticate");
            if ("OPTIONS".equals(request.getMethod())) {
                response.setHeader("Access-Control-Allow-Methods", "GET, POST, DELETE");
                response.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
                response.setHeader("Access-Control-Max-Age", "600");
                response.setStatus(204);
                return;
            }
        }
        int token = tokens.which(request.getHeader("Authorization"));
        if (token < 0) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"mcp\"");
            refuse(response, 401, "Missing or wrong bearer token: send 'Authorization: Bearer <token>' with a token from "
                    + "the server's MCP_AUTH_TOKEN.");
            return;
        }
        String session = request.getHeader(SESSION_ID);
        if (session != null && !sessionOwners.getOrDefault(session, token).equals(token)) {
            // Answered as the transport answers an unknown session: nothing says the session exists.
            refuse(response, 404, "Session not found: this session was opened with another token; send initialize to open one.");
            return;
        }
        String version = request.getHeader(PROTOCOL_VERSION);
        if (version != null && !protocolVersions.contains(version.trim())) {
            refuse(response, 400, "Unsupported MCP-Protocol-Version: this server speaks "
                    + String.join(", ", protocolVersions.stream().sorted().toList())
                    + "; send the version agreed at initialize.");
            return;
        }
        chain.doFilter(request, response);
        if (tokens.open()) {
            return;
        }
        // A session belongs to the token that opened it (the spec's SHOULD: a session id alone is not a credential).
        String opened = response.getHeader(SESSION_ID);
        if (session == null && opened != null && response.getStatus() < 300) {
            sessionOwners.put(opened, token);
        } else if (session != null && "DELETE".equals(request.getMethod()) && response.getStatus() < 300) {
            sessionOwners.remove(session);
        }
    }

    /** An allow-listed origin; with no list, only pages served from this machine (loopback hosts). */
    private boolean originAllowed(String origin) {
        String normalized = origin.trim().toLowerCase(Locale.ROOT);
        if (!allowedOrigins.isEmpty()) {
            return allowedOrigins.contains(normalized);
        }
        try {
            URI uri = new URI(normalized);
            String host = uri.getHost();
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && host != null
                    && LOOPBACK_HOSTS.contains(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host);
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /**
     * A refusal is sent without reading the request's body (an unauthenticated client's bytes are not read on
     * its behalf), so Jetty may drop the connection after it; {@code Connection: close} tells the client not to
     * send its next request on it (one that did got an empty answer instead of its response).
     */
    private static void refuse(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setHeader("Connection", "close");
        response.setContentType("application/json");
        byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"" + message + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
