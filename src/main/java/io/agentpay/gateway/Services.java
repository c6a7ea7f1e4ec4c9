package io.agentpay.gateway;

import io.agentpay.gateway.callback.CallbackAuth;
import io.agentpay.gateway.callback.CallbackServer;
import io.agentpay.gateway.cli.ServerConfig;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.McpLog;
import io.agentpay.gateway.redis.RedisSessions;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.state.PaymentStore;
import io.agentpay.gateway.state.StoreUnavailableException;
import io.agentpay.gateway.tunnel.LoopbackTunnel;
import io.agentpay.gateway.tunnel.NgrokTunnel;
import io.agentpay.gateway.tunnel.PublicUrlTunnel;
import io.agentpay.gateway.tunnel.Reachability;
import io.agentpay.gateway.tunnel.Tunnel;
import io.agentpay.gateway.tunnel.TunnelMonitor;
import io.agentpay.gateway.twilio.TwilioAgentPaymentServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the server brings up after it has answered {@code initialize}, in order: the sandbox
 * simulator (with --sandbox), the callback endpoint, its public URL (PUBLIC_URL, ngrok or
 * loopback) and its end-to-end check, the Twilio facade, the eviction timer. Closed in reverse order.
 */
final class Services implements AutoCloseable {
    private final ServerConfig config;
    private final PaymentStore store;
    private final McpLog log;
    private final PaySimulator.Credentials sandboxCredentials;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "session-eviction");
        t.setDaemon(true);
        return t;
    });
    private volatile PaySimulator simulator;
    private volatile CallbackServer callbackServer;
    private volatile TunnelMonitor monitor;

    Services(ServerConfig config, PaymentStore store, McpLog log, PaySimulator.Credentials sandboxCredentials) {
        this.config = config;
        this.store = store;
        this.log = log;
        this.sandboxCredentials = sandboxCredentials;
    }

    /**
     * The payment sessions: in Redis when REDIS_URL is set (shared by every instance on it), else in memory.
     *
     * @throws io.agentpay.gateway.state.StoreUnavailableException when Redis cannot be reached
     */
    static PaymentStore openStore(ServerConfig config) {
        if (config.redisUrl() == null) {
            return new PaymentStore(config.sessionTtl());
        }
        return new PaymentStore(config.sessionTtl(), RedisSessions.connect(config.redisUrl(), config.sessionTtl(), Json.MAPPER));
    }

    /** Starts everything on the calling thread and completes {@code payments} (or fails it with a clear reason). */
    void start(CompletableFuture<TwilioAgentPaymentServer> payments) {
        try {
            URI apiBase = config.twilioApiBaseUrl();
            String authToken = config.twilioAuthToken();
            if (config.sandbox()) {
                simulator = new PaySimulator(sandboxCredentials, Duration.ofMillis(250));
                apiBase = simulator.baseUrl();
                authToken = sandboxCredentials.authToken();
            }
            CallbackAuth auth = new CallbackAuth(store.sharedSecret(CallbackAuth.newSecret()), authToken);
            callbackServer = new CallbackServer(store, log, auth, Json.MAPPER);
            int port = callbackServer.start(config.callbackHost(), config.callbackPort());
            Tunnel tunnel;
            if (config.sandbox()) {
                tunnel = LoopbackTunnel.onPort(port);
            } else if (config.publicUrl() != null) {
                tunnel = new PublicUrlTunnel(config.publicUrl(), port);
                if (config.callbackPort() != 0 && port != config.callbackPort()) {
                    // Another instance (MCP hosts sometimes start a server twice) holds the configured port.
                    log.warning("server", "CALLBACK_PORT " + config.callbackPort() + " is taken (another instance?), so this "
                            + "server listens on " + port + ". PUBLIC_URL " + config.publicUrl() + " must reach port " + port
                            + " or this instance's callbacks will not arrive; give each instance its own port and URL.");
                }
            } else {
                tunnel = NgrokTunnel.openOrRetry(config.ngrokAuthToken(), config.ngrokCustomDomain(), port);
            }
            TunnelMonitor checked = new TunnelMonitor(tunnel, callbackServer.callbackPath(), config.tunnelCheckEvery(),
                    Duration.ofSeconds(5), log);
            monitor = checked;
            checked.explainFailuresWith(callbackServer::pressure);
            // Read per request: a reopened tunnel's new URL is used for signatures and status callbacks at once.
            callbackServer.publicBaseUrl(() -> checked.tunnel().publicUrl().toString());
            String path = callbackServer.callbackPath();
            Supplier<URI> statusCallback = () -> URI.create(checked.tunnel().publicUrl() + path);
            String publicBase = tunnel.publicUrl().toString();
            TwilioAgentPaymentServer facade = TwilioAgentPaymentServer.initialize(config.accountSid(), config.apiKey(),
                    config.apiSecret(), new TwilioAgentPaymentServer.Options(config.tokenType(), config.currency(),
                            config.paymentConnector(), apiBase, statusCallback, store, Duration.ofSeconds(10), 3,
                            Duration.ofMillis(250)));
            long every = Math.max(1, Math.min(60, config.sessionTtl().toSeconds() / 4));
            timer.scheduleWithFixedDelay(this::evict, every, every, TimeUnit.SECONDS);
            log.info("server", (config.sandbox() ? "Sandbox ready (simulated Twilio at " + apiBase + "). " : "Ready. ")
                    + "Callbacks reach port " + port + " through " + publicBase + CallbackServer.PATH + "…"
                    + (auth.verifiesSignatures() ? " (signatures verified)." : " (secret path; set TWILIO_AUTH_TOKEN to verify signatures too)."));
            checked.start();
            payments.complete(facade);
        } catch (Exception | LinkageError e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            log.error("server", "Payments are unavailable: " + reason);
            payments.completeExceptionally(new IllegalStateException(reason, e));
        }
    }

    /** Whether callbacks can reach this server now; CHECKING until the tunnel is up and first checked. */
    Reachability reachability() {
        TunnelMonitor m = monitor;
        return m == null ? Reachability.checking() : m.reachability();
    }

    private void evict() {
        int evicted;
        try {
            evicted = store.evictExpired();
        } catch (StoreUnavailableException e) {
            log.debug("state", "Eviction skipped: " + e.getMessage());
            return;
        }
        if (evicted > 0) {
            log.debug("state", evicted + " payment sessions idle for over " + store.timeToLive() + " were evicted.");
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        TunnelMonitor m = monitor;
        if (m != null) {
            m.close();
        }
        CallbackServer c = callbackServer;
        if (c != null) {
            c.close();
        }
        PaySimulator s = simulator;
        if (s != null) {
            s.close();
        }
    }
}
