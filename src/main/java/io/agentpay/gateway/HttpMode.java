package io.agentpay.gateway;

import io.agentpay.gateway.cli.HttpEndpoint;
import io.agentpay.gateway.cli.ServerConfig;
import io.agentpay.gateway.http.McpHttpServer;
import io.agentpay.gateway.mcp.ComponentScan;
import io.agentpay.gateway.mcp.Json;
import io.agentpay.gateway.mcp.McpLog;
import io.agentpay.gateway.mcp.ServerAssembly;
import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.state.PaymentStore;
import io.agentpay.gateway.twilio.TwilioAgentPaymentServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema.ResourcesUpdatedNotification;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The server as a service: the same tools, prompts and resources as over stdio, served over
 * Streamable HTTP to any number of clients at once, until a signal stops the process. The
 * callback endpoint, tunnel and Twilio facade come up in the background, as over stdio;
 * {@code /healthz} says {@code degraded} until they are ready and whenever callbacks cannot arrive.
 */
final class HttpMode {
    private HttpMode() {}

    static int serve(ServerConfig config, PaySimulator.Credentials sandbox, String version) {
        HttpEndpoint endpoint = config.http();
        McpLog log = new McpLog();
        PaymentStore store = Services.openStore(config);
        CompletableFuture<TwilioAgentPaymentServer> payments = new CompletableFuture<>();
        Services services = new Services(config, store, log, sandbox);
        ServerContext context = new ServerContext(store, log, payments, config.sandbox(), Duration.ofSeconds(15),
                services::reachability);
        ClassLoader loader = HttpMode.class.getClassLoader();
        ComponentScan.Components components = ComponentScan.build(ComponentScan.discover(loader), context, loader);
        components.failures().forEach(failure -> log.error("discovery", "Component not registered: " + failure));

        McpHttpServer http = new McpHttpServer(endpoint, Json.MCP, () -> services.degradedBecause(payments));
        McpSyncServer server = ServerAssembly.build(McpServer.sync(http.transport(log::attach)), Json.MCP, context, components, version);
        // Each change goes to the sessions subscribed to its status resource, off the thread that merged it.
        ExecutorService notifier = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mcp-notify");
            t.setDaemon(true);
            return t;
        });
        store.onChange(status -> notifier.execute(() -> server.notifyResourcesUpdated(
                new ResourcesUpdatedNotification(status.statusUri()))));
        log.clientReady(); // each HTTP session gets log notifications at its own level once its stream is open
        int port;
        try {
            port = http.start();
        } catch (RuntimeException e) {
            log.error("server", "Cannot serve MCP on " + endpoint.host() + ":" + endpoint.port() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
                    + ". Choose another " + "MCP_HTTP_PORT (--http-port), or stop the process that holds it.");
            server.close();
            log.close();
            return Main.FAILED;
        }
        log.info("server", "MCP (Streamable HTTP) at http://" + endpoint.host() + ":" + port + HttpEndpoint.PATH
                + (endpoint.authTokens().isEmpty() ? " (loopback, no token)" : " (bearer token required)")
                + "; health at " + McpHttpServer.HEALTH_PATH + ".");
        CountDownLatch stopped = new CountDownLatch(1);
        Thread shutdown = new Thread(() -> {
            http.close();
            services.close();
            server.close();
            notifier.shutdownNow();
            log.close();
            stopped.countDown();
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        services.start(payments);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Main.OK;
    }
}
