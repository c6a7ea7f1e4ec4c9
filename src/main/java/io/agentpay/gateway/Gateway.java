package io.agentpay.gateway;

import io.agentpay.gateway.cli.ServerConfig;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.ComponentScan;
import io.agentpay.gateway.mcp.McpLog;
import io.agentpay.gateway.mcp.ServerAssembly;
import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.ToolResults;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.state.PaymentStatus;
import io.agentpay.gateway.state.PaymentStore;
import io.agentpay.gateway.startup.ClassDataArchive;
import io.agentpay.gateway.twilio.TwilioAgentPaymentServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema.ResourcesUpdatedNotification;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

/**
 * The core of the server, the same whatever the transport: the log, the payment store (in memory or
 * in Redis), the services (callback endpoint, public URL, Twilio facade), the tools, prompts and
 * resources, and the fan-out of store changes to subscribed clients. A transport ({@link StdioMode},
 * {@link HttpMode}) builds the MCP server on it with {@code serve}, starts the services when it is
 * ready and closes it when it ends.
 */
final class Gateway implements AutoCloseable {
    /** How long a tool waits for the Twilio facade while the services are still starting. */
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(15);
    /**
     * How long a session runs before the class-data archive its launch line names is checked and, if it
     * does not fit, made: late enough to stay out of the first answers' way.
     */
    private static final Duration ARCHIVE_CHECK_DELAY = Duration.ofMillis(Long.getLong("agentpay.classDataArchive.delayMillis", 10_000));

    private final ServerConfig config;
    private final String version;
    private final McpLog log = new McpLog();
    private final PaymentStore store;
    private final CompletableFuture<TwilioAgentPaymentServer> payments = new CompletableFuture<>();
    private final Services services;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile McpSyncServer server;
    private volatile ExecutorService notifier;
    /** Stops the class-data archive's run, if one is under way. */
    private volatile Runnable archive;

    /**
     * Opens the store (Redis connects in the background when it cannot be reached yet); everything
     * slower waits for {@link #serve} and {@link #startServices}.
     */
    Gateway(ServerConfig config, PaySimulator.Credentials sandbox, String version) {
        this.config = config;
        this.version = version;
        this.store = Services.openStore(config);
        this.services = new Services(config, store, log, sandbox);
    }

    McpLog log() {
        return log;
    }

    /** The MCP server on stdio's single session. */
    McpSyncServer serve(McpServerTransportProvider transport) {
        return serve((context, components) -> ServerAssembly.build(transport, Json.MCP, context, components, version));
    }

    /** The MCP server on Streamable HTTP's many sessions. */
    McpSyncServer serve(McpStreamableServerTransportProvider transport) {
        return serve((context, components) -> ServerAssembly.build(McpServer.sync(transport), Json.MCP, context, components,
                version));
    }

    /**
     * Builds the context and the discovered components, then the MCP server on them with
     * {@code assembly}; from then on each store change notifies the clients subscribed to it.
     */
    private McpSyncServer serve(BiFunction<ServerContext, ComponentScan.Components, McpSyncServer> assembly) {
        ServerContext context = new ServerContext(store, log, payments, config.sandbox(), STARTUP_WAIT, services::reachability);
        ClassLoader loader = Gateway.class.getClassLoader();
        ComponentScan.Components components = ComponentScan.build(ComponentScan.discover(loader), context, loader);
        components.failures().forEach(failure -> log.error("discovery", "Component not registered: " + failure));
        McpSyncServer built = assembly.apply(context, components);
        server = built;
        // Each change goes to the sessions subscribed to its status resource, off the thread that merged it.
        ExecutorService fanOut = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mcp-notify");
            t.setDaemon(true);
            return t;
        });
        notifier = fanOut;
        store.onChange(status -> fanOut.execute(() -> notifySubscribers(built, status)));
        return built;
    }

    private void notifySubscribers(McpSyncServer built, PaymentStatus status) {
        try {
            built.notifyResourcesUpdated(new ResourcesUpdatedNotification(status.statusUri()));
        } catch (RuntimeException e) {
            log.debug("resources", "Update notification not sent: " + e.getMessage());
        }
    }

    /** Brings up the services on the calling thread; tools wait for them (see {@link ServerContext#payments()}). */
    void startServices() {
        services.start(payments);
        ToolResults.prepare();
        if (!closed.get()) {
            archive = ClassDataArchive.refreshLater(ARCHIVE_CHECK_DELAY, log);
        }
    }

    /** Why payments cannot be taken now (starting, store unreachable, callbacks unreachable), or empty when they can. */
    Optional<String> degradedBecause() {
        return services.degradedBecause(payments);
    }

    /** Stops the services, then the MCP server, the fan-out, the store's connections and the log; later calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Runnable stopArchive = archive;
        if (stopArchive != null) {
            stopArchive.run();
        }
        services.close();
        McpSyncServer s = server;
        if (s != null) {
            s.close();
        }
        ExecutorService n = notifier;
        if (n != null) {
            n.shutdownNow();
        }
        store.close();
        log.close();
    }
}
