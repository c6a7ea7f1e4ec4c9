package io.agentpay.gateway.http;

import io.agentpay.gateway.cli.HttpEndpoint;
import io.javalin.Javalin;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpStreamableServerSession;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * secrets); no authentication. It can be started before the MCP server is built on its transport, so
 * the port binds while the rest of the gateway comes up: until then {@code /healthz} answers and MCP
 * requests wait (at most {@link #BUILD_WAIT}, then 503 with {@code Retry-After}).
 */
public final class McpHttpServer implements AutoCloseable {
    public static final String HEALTH_PATH = "/healthz";
    private static final int MAX_BODY_BYTES = 1024 * 1024;
    /** How long an idle connection (a quiet notification stream included) stays open. */
    private static final long IDLE_TIMEOUT_MS = 10 * 60 * 1000L;
    /** How long an MCP request that arrives before the MCP server is built waits for it. */
    static final Duration BUILD_WAIT = Duration.ofSeconds(30);

    private final HttpServletStreamableServerTransportProvider transport;
    private final HttpEndpoint endpoint;
    private final Supplier<Optional<String>> degradedBecause;
    private final McpJsonMapper mapper;
    private final CountDownLatch built = new CountDownLatch(1);
    private final AtomicInteger waiting = new AtomicInteger();
    private volatile Javalin app;

    /** {@code degradedBecause}: why the server cannot take payments now, empty when it can. */
    public McpHttpServer(HttpEndpoint endpoint, McpJsonMapper mapper, Supplier<Optional<String>> degradedBecause) {
        this.endpoint = endpoint;
        this.degradedBecause = degradedBecause;
        this.mapper = mapper;
        this.transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(new ErrorBodies(mapper))
                .mcpEndpoint(HttpEndpoint.PATH)
                .maxRequestSize(MAX_BODY_BYTES)
                .build();
    }

    /** The transport to build the MCP server on; {@code sessionStarted} hears of each client session opened. */
    public McpStreamableServerTransportProvider transport(Consumer<? super McpStreamableServerSession> sessionStarted) {
        return new SessionAnnouncingTransport(transport, sessionStarted::accept, built::countDown);
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
            config.startup.startupWatcherEnabled = false; // its thread only warns of a server created and never started
            config.jetty.threadPool = threads;
            config.jetty.modifyServletContextHandler(context -> {
                ServletHolder mcp = new ServletHolder("mcp", transport);
                mcp.setAsyncSupported(true);
                context.addServlet(mcp, HttpEndpoint.PATH);
                FilterHolder filter = new FilterHolder(guard);
                filter.setAsyncSupported(true);
                context.addFilter(filter, HttpEndpoint.PATH, EnumSet.of(DispatcherType.REQUEST));
                FilterHolder untilBuilt = new FilterHolder((Filter) this::whenBuilt);
                untilBuilt.setAsyncSupported(true);
                context.addFilter(untilBuilt, HttpEndpoint.PATH, EnumSet.of(DispatcherType.REQUEST));
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

    /** Passes an (authorised) MCP request on once the MCP server is built, or refuses it if that takes too long. */
    private void whenBuilt(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        try {
            if (built.getCount() == 0 || awaitBuilt()) {
                chain.doFilter(request, response);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        HttpServletResponse refused = (HttpServletResponse) response;
        refused.setHeader("Retry-After", "1");
        refused.sendError(503, "The MCP server is still starting; try again.");
    }

    private boolean awaitBuilt() throws InterruptedException {
        waiting.incrementAndGet();
        try {
            return built.await(BUILD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            waiting.decrementAndGet();
        }
    }

    /** How many MCP requests are waiting for the MCP server to be built. */
    int waiting() {
        return waiting.get();
    }

    @Override
    public void close() {
        transport.closeGracefully().block();
        if (app != null) {
            app.stop();
        }
    }
}
