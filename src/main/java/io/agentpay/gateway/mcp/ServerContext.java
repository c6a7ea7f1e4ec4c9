package io.agentpay.gateway.mcp;

import io.agentpay.gateway.state.PaymentStore;
import io.agentpay.gateway.twilio.PaymentException;
import io.agentpay.gateway.twilio.TwilioAgentPaymentServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What tools, prompts and resources are built with. The Twilio facade arrives a moment after
 * {@code initialize} has been answered (once the callback endpoint and its public URL are up);
 * {@link #payments()} waits briefly for it or says why it cannot proceed.
 */
public final class ServerContext {
    private final PaymentStore store;
    private final McpLog log;
    private final CompletableFuture<TwilioAgentPaymentServer> payments;
    private final boolean sandbox;
    private final Duration startupWait;

    public ServerContext(PaymentStore store, McpLog log, CompletableFuture<TwilioAgentPaymentServer> payments,
                         boolean sandbox, Duration startupWait) {
        this.store = store;
        this.log = log;
        this.payments = payments;
        this.sandbox = sandbox;
        this.startupWait = startupWait;
    }

    public PaymentStore store() { return store; }

    public McpLog log() { return log; }

    /** True when the server talks to the built-in simulator: every result says so. */
    public boolean sandbox() { return sandbox; }

    public TwilioAgentPaymentServer payments() {
        try {
            return payments.get(startupWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new PaymentException("starting", null, "The server is still opening its callback endpoint and public URL.",
                    "Wait a few seconds and call the tool again.");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new PaymentException("callbacks-unavailable", null, "Payments are unavailable: "
                    + (cause == null ? "start-up failed" : cause.getMessage()),
                    "Twilio's callbacks cannot reach this server, so no payment can be followed. Fix the setting named "
                            + "above and restart the server.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PaymentException("interrupted", null, "The server is shutting down.", "Do not retry.");
        }
    }
}
