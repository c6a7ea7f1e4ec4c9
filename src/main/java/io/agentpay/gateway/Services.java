package io.agentpay.gateway;

import io.agentpay.gateway.callback.CallbackAuth;
import io.agentpay.gateway.callback.CallbackServer;
import io.agentpay.gateway.cli.ServerConfig;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.log.Log;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * What the server brings up beside the MCP session (over stdio, as soon as the SDK is built), in
 * order: the sandbox simulator (with --sandbox), the callback endpoint, its public URL (PUBLIC_URL,
 * ngrok or loopback) and its end-to-end check, the Twilio facade, the eviction timer. Closed in
 * reverse order.
 */
final class Services implements AutoCloseable {
    private final ServerConfig config;
    private final PaymentStore store;
    private final McpLog log;
    /** For what starts beside the session: the client gets it once ready (the store's outage reports stay live only). */
    private final Log startLog;
    private final PaySimulator.Credentials sandboxCredentials;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "session-eviction");
        t.setDaemon(true);
        return t;
    });
    private volatile PaySimulator simulator;
    private volatile CallbackServer callbackServer;
    private volatile TunnelMonitor monitor;
    private volatile String secret;
    /** When the session store became unreachable (System.nanoTime), for the recovery line; 0 before any outage. */
    private volatile long storeLostAt;
    /** Completed by {@link #close()}: ends a start-up still waiting for the session store. */
    private final CompletableFuture<Void> closing = new CompletableFuture<>();

    Services(ServerConfig config, PaymentStore store, McpLog log, PaySimulator.Credentials sandboxCredentials) {
        this.config = config;
        this.store = store;
        this.log = log;
        this.startLog = log.keptUntilReady();
        this.sandboxCredentials = sandboxCredentials;
        // Once per outage and once per recovery, never per reconnection attempt.
        store.watchAvailability(reason -> {
            if (reason.isPresent()) {
                storeLostAt = System.nanoTime();
                log.warning("state", "Payment sessions are unavailable: " + reason.get() + " Until then every tool that "
                        + "needs them answers with an error and callbacks are refused with 503.");
            } else {
                log.info("state", "The payment session store is reachable again"
                        + (storeLostAt == 0 ? "" : " after " + (System.nanoTime() - storeLostAt) / 1_000_000 + " ms")
                        + "; tools and callbacks work again.");
                String kept = secret;
                if (kept != null) {
                    try {
                        timer.execute(() -> restoreSecret(kept));
                    } catch (RejectedExecutionException closing) {
                        // the server is shutting down
                    }
                }
            }
        });
    }

    /**
     * The payment sessions: in Redis when REDIS_URL is set (shared by every instance on it), else in memory.
     */
    static PaymentStore openStore(ServerConfig config) {
        if (config.redisUrl() == null) {
            return new PaymentStore(config.sessionTtl());
        }
        // Never fails: while Redis cannot be reached the store says so (tools, /healthz) and connects in the background.
        return new PaymentStore(config.sessionTtl(), RedisSessions.open(config.redisUrl(), config.sessionTtl(), Json.MAPPER));
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
            secret = sharedSecret();
            if (secret == null) {
                payments.completeExceptionally(new IllegalStateException("The server is shutting down."));
                return;
            }
            CallbackAuth auth = new CallbackAuth(secret, authToken);
            callbackServer = new CallbackServer(store, startLog, auth, Json.MAPPER);
            int port = callbackServer.start(config.callbackHost(), config.callbackPort());
            Tunnel tunnel;
            if (config.sandbox()) {
                tunnel = LoopbackTunnel.onPort(port);
            } else if (config.publicUrl() != null) {
                tunnel = new PublicUrlTunnel(config.publicUrl(), port);
                if (config.callbackPort() != 0 && port != config.callbackPort()) {
                    // Another instance (MCP hosts sometimes start a server twice) holds the configured port.
                    startLog.warning("server", "CALLBACK_PORT " + config.callbackPort() + " is taken (another instance?), so this "
                            + "server listens on " + port + ". PUBLIC_URL " + config.publicUrl() + " must reach port " + port
                            + " or this instance's callbacks will not arrive; give each instance its own port and URL.");
                }
            } else {
                tunnel = NgrokTunnel.openOrRetry(config.ngrokAuthToken(), config.ngrokCustomDomain(), port);
            }
            TunnelMonitor checked = new TunnelMonitor(tunnel, callbackServer.callbackPath(), config.tunnelCheckEvery(),
                    Duration.ofSeconds(5), startLog);
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
            startLog.info("server", (config.sandbox() ? "Sandbox ready (simulated Twilio at " + apiBase + "). " : "Ready. ")
                    + "Callbacks reach port " + port + " through " + publicBase + CallbackServer.PATH + "…"
                    + (auth.verifiesSignatures() ? " (signatures verified)." : " (secret path; set TWILIO_AUTH_TOKEN to verify signatures too)."));
            checked.start();
            payments.complete(facade);
            facade.prepare(); // while the first check runs: a tool call waits for that check anyway
        } catch (Exception | LinkageError e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            startLog.error("server", "Payments are unavailable: " + reason);
            payments.completeExceptionally(new IllegalStateException(reason, e));
        }
    }

    /**
     * The callback path secret, shared through the store so every instance behind one public URL accepts
     * the same callback URL. While the store cannot be reached this waits (the callback endpoint, tunnel
     * and Twilio facade wait with it, and tools say why); null when the server closes first.
     */
    private String sharedSecret() throws InterruptedException, ExecutionException {
        String proposed = CallbackAuth.newSecret();
        boolean told = false;
        while (!closing.isDone()) {
            CompletableFuture<Void> available = store.whenAvailable();
            try {
                return store.sharedSecret(proposed);
            } catch (StoreUnavailableException e) {
                if (!told) {
                    told = true;
                    startLog.warning("server", "The callback endpoint opens once the payment session store is reachable (the "
                            + "callback secret is kept there); no payment can start until then. " + e.getMessage());
                }
                if (available.isDone()) {
                    // It failed just as it went down; the store notices within moments.
                    try {
                        closing.get(100, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException notClosing) {
                        // try again
                    }
                } else {
                    CompletableFuture.anyOf(available, closing).get();
                }
            }
        }
        return null;
    }

    /**
     * Why {@code /healthz} should say {@code degraded}, in a few words without hosts or secrets: the
     * session store unreachable, payments not ready (or failed), or callbacks certainly not arriving.
     */
    Optional<String> degradedBecause(CompletableFuture<TwilioAgentPaymentServer> payments) {
        if (store.unavailable().isPresent()) {
            return Optional.of("payment session store unreachable; reconnecting");
        }
        if (!payments.isDone()) {
            return Optional.of("starting: callback endpoint not open yet");
        }
        if (payments.isCompletedExceptionally()) {
            return Optional.of("payments unavailable: start-up failed (see the server log)");
        }
        return reachability().certainlyUnreachable() ? Optional.of("callbacks cannot reach this server")
                : Optional.empty();
    }

    /**
     * After an outage, writes this instance's callback secret back if Redis lost it (restarted without
     * persistence), so that an instance started later adopts it rather than minting another one.
     */
    private void restoreSecret(String kept) {
        try {
            if (!kept.equals(store.sharedSecret(kept))) {
                log.warning("server", "The payment session store holds another callback secret than this instance's (it "
                        + "lost its data and another instance set a new one): instances holding the other secret refuse "
                        + "callbacks for payments this one starts, and it refuses theirs. Restart this instance to adopt the "
                        + "shared secret.");
            }
        } catch (StoreUnavailableException e) {
            // lost again; the next recovery tries again
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
        closing.complete(null);
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
