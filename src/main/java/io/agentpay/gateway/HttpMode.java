package io.agentpay.gateway;

import io.agentpay.gateway.callback.CallbackServer;
import io.agentpay.gateway.cli.HttpEndpoint;
import io.agentpay.gateway.http.McpHttpServer;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.McpLog;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * The server as a service: the same tools, prompts and resources as over stdio, served over
 * Streamable HTTP to any number of clients at once, until a signal stops the process. The MCP
 * port binds on its own thread while the gateway is built (store connected, components, MCP
 * server) on this one; MCP requests that arrive meanwhile wait for the MCP server. The callback
 * endpoint, tunnel and Twilio facade come up after, as over stdio; {@code /healthz} says
 * {@code degraded} until they are ready and whenever callbacks cannot arrive.
 */
final class HttpMode {
    private final HttpEndpoint endpoint;
    private final McpHttpServer http;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Gateway gateway;

    HttpMode(HttpEndpoint endpoint) {
        this.endpoint = endpoint;
        this.http = new McpHttpServer(endpoint, Json.MCP, () -> {
            Gateway g = gateway;
            return g == null ? Optional.of("starting: MCP server not built yet") : g.degradedBecause();
        });
    }

    /** Serves with the gateway {@code build} makes; the port binds meanwhile, on its own thread. */
    int run(Supplier<Gateway> build) {
        // The MCP port's Jetty starts before the callback endpoint's, so it is the one to skip the management beans.
        CallbackServer.spareJettyTheManagementBeans();
        CompletableFuture<Integer> bound = new CompletableFuture<>();
        Thread binder = new Thread(() -> {
            try {
                bound.complete(http.start());
            } catch (RuntimeException e) {
                bound.completeExceptionally(e);
            }
        }, "mcp-http-start");
        binder.start();
        Gateway g;
        try {
            g = build.get();
        } catch (RuntimeException e) {
            bound.handle((port, failure) -> null).join();
            http.close();
            throw e;
        }
        gateway = g;
        McpLog log = g.log();
        g.serve(http.transport(log::attach));
        log.clientReady(); // each HTTP session gets log notifications at its own level once its stream is open
        int port;
        try {
            port = bound.join();
        } catch (CompletionException failed) {
            Throwable e = failed.getCause();
            log.error("server", "Cannot serve MCP on " + endpoint.host() + ":" + endpoint.port() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
                    + ". Choose another " + "MCP_HTTP_PORT (--http-port), or stop the process that holds it.");
            g.close();
            return Main.FAILED;
        }
        log.info("server", "MCP (Streamable HTTP) at http://" + endpoint.host() + ":" + port + HttpEndpoint.PATH
                + (endpoint.authTokens().isEmpty() ? " (loopback, no token)" : " (bearer token required)")
                + "; health at " + McpHttpServer.HEALTH_PATH + ".");
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "shutdown"));
        g.startServices();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Main.OK;
    }

    /** Stops taking MCP requests first, then closes the gateway. */
    private void stop() {
        http.close();
        Gateway g = gateway;
        if (g != null) {
            g.close();
        }
        stopped.countDown();
    }
}
