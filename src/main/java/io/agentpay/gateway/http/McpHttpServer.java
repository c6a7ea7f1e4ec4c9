package io.agentpay.gateway.http;

import io.agentpay.gateway.cli.HttpEndpoint;
import io.javalin.Javalin;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpStreamableServerSession;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * MCP over Streamable HTTP (2025-11-25) on an embedded Javalin: the MCP Java SDK's servlet
 * transport at {@code /mcp} (POST messages, GET the notification stream, DELETE ends a session,
 * sessions by {@code Mcp-Session-Id}) behind {@link RequestGuard}, and {@code GET /healthz}
 * for load balancers: 200 {@code ok}, or 503 {@code degraded} with a short reason (no hosts, no
 * secrets); no authentication.
 */
public final class McpHttpServer implements AutoCloseable {
    public static final String HEALTH_PATH = "/healthz";
    private static final int MAX_BODY_BYTES = 1024 * 1024;
    /** How long an idle connection (a quiet notification stream included) stays open. */
    private static final long IDLE_TIMEOUT_MS = 10 * 60 * 1000L;

    private final HttpServletStreamableServerTransportProvider transport;
    private final HttpEndpoint endpoint;
    private final Supplier<Optional<String>> degradedBecause;
    private final McpJsonMapper mapper;
    private Javalin app;

    /** {@code degradedBecause}: why the server cannot take payments now, empty when it can. */
    public McpHttpServer(HttpEndpoint endpoint, McpJsonMapper mapper, Supplier<Optional<String>> degradedBecause) {
        this.endpoint = endpoint;
        this.degradedBecause = degradedBecause;
        this.mapper = mapper;
        this.transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(mapper)
                .mcpEndpoint(HttpEndpoint.PATH)
                .maxRequestSize(MAX_BODY_BYTES)
                .build();
    }

    /** The transport to build the MCP server on; {@code sessionStarted} hears of each client session opened. */
    public McpStreamableServerTransportProvider transport(Consumer<? super McpStreamableServerSession> sessionStarted) {
        return new SessionAnnouncingTransport(transport, sessionStarted::accept);
    }

    /** Binds the endpoint's host and port (0 picks a free one) and returns the port bound. */
    public int start() {
        QueuedThreadPool threads = new QueuedThreadPool(200, 4, 60_000);
        threads.setName("mcp-http");
        threads.setDaemon(true);
        RequestGuard guard = new RequestGuard(new BearerTokens(endpoint.authTokens()), endpoint.allowedOrigins(),
                transport.protocolVersions());
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.threadPool = threads;
            config.jetty.modifyServletContextHandler(context -> {
                ServletHolder mcp = new ServletHolder("mcp", transport);
                mcp.setAsyncSupported(true);
                context.addServlet(mcp, HttpEndpoint.PATH);
                FilterHolder filter = new FilterHolder(guard);
                filter.setAsyncSupported(true);
                context.addFilter(filter, HttpEndpoint.PATH, EnumSet.of(DispatcherType.REQUEST));
            });
            config.routes.get(HEALTH_PATH, ctx -> {
                Optional<String> degraded = degradedBecause.get();
                Map<String, String> body = new LinkedHashMap<>();
                body.put("status", degraded.isEmpty() ? "ok" : "degraded");
                degraded.ifPresent(reason -> body.put("reason", reason));
                ctx.status(degraded.isEmpty() ? 200 : 503).contentType("application/json").result(mapper.writeValueAsString(body));
            });
        });
        app.start(endpoint.host(), endpoint.port());
        for (Connector connector : app.jettyServer().server().getConnectors()) {
            if (connector instanceof ServerConnector server) {
                server.setIdleTimeout(IDLE_TIMEOUT_MS);
            }
        }
        return app.port();
    }

    @Override
    public void close() {
        transport.closeGracefully().block();
        if (app != null) {
            app.stop();
        }
    }
}
