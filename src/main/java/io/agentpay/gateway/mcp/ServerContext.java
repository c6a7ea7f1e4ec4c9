package io.agentpay.gateway.mcp;

import io.agentpay.gateway.state.PaymentStatus;
import io.agentpay.gateway.state.PaymentStore;
import io.agentpay.gateway.state.StoreUnavailableException;
import io.agentpay.gateway.tunnel.Reachability;
import io.agentpay.gateway.twilio.PaymentException;
import io.agentpay.gateway.twilio.TwilioAgentPaymentServer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * What tools, prompts and resources are built with. The Twilio facade arrives a moment after
 * {@code initialize} has been answered (once the callback endpoint and its public URL are up);
 * {@link #payments()} waits briefly for it or says why it cannot proceed.
 */
public final class ServerContext {
    /** Covers the first check when it fails and is confirmed: two probes of at most 5 s and a second between them. */
    private static final Duration FIRST_CHECK_WAIT = Duration.ofSeconds(12);

    private final PaymentStore store;
    private final McpLog log;
    private final CompletableFuture<TwilioAgentPaymentServer> payments;
    private final boolean sandbox;
    private final Duration startupWait;
    private final Supplier<Reachability> callbacks;
    private final PaymentWaiter waiter;

    public ServerContext(PaymentStore store, McpLog log, CompletableFuture<TwilioAgentPaymentServer> payments,
                         boolean sandbox, Duration startupWait, Supplier<Reachability> callbacks) {
        this.store = store;
        this.log = log;
        this.payments = payments;
        this.sandbox = sandbox;
        this.startupWait = startupWait;
        this.callbacks = callbacks;
        this.waiter = new PaymentWaiter(store);
    }

    public PaymentStore store() { return store; }

    public McpLog log() { return log; }

    /** Waits for a payment's next change that needs the agent, for tools that return outcomes. */
    public PaymentWaiter waiter() { return waiter; }

    /** True when the server talks to the built-in simulator: every result says so. */
    public boolean sandbox() { return sandbox; }

    /**
     * The Twilio facade, once the store can be reached: while it cannot (Redis down), nothing is sent
     * to Twilio, since the session it would open could not be kept.
     *
     * @throws StoreUnavailableException with the store's reason and what to do
     */
    public TwilioAgentPaymentServer payments() {
        Optional<String> down = store.unavailable();
        if (down.isPresent()) {
            throw new StoreUnavailableException(down.get() + (payments.isDone() ? "" : " The callback endpoint opens once "
                    + "it is reachable (the callback secret is kept there), so no payment can start until then."));
        }
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

    /**
     * Refuses to open a new payment while callbacks certainly cannot arrive (a tunnel that worked
     * has dropped, or the URL is answered by another server): the caller would key digits that
     * nobody can follow. A URL that merely could not be confirmed only warns (see {@link #warnIfCallbacksCannotArrive}).
     */
    public void requireCallbacksReachable() {
        Reachability now = firstAnswer();
        if (now.certainlyUnreachable()) {
            throw new PaymentException("callbacks-unreachable", null, "Twilio's status callbacks cannot reach this server "
                    + "since " + now.since().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ": " + now.detail(),
                    "Do not start the payment now: the caller's progress could not be followed. Tell the caller there is a "
                            + "short technical delay, then call startPaymentCapture again in a few seconds; the server "
                            + "checks the URL again by itself and logs when callbacks reach it again.");
        }
    }

    /**
     * Waits (at most {@link #FIRST_CHECK_WAIT}) while the first end-to-end check has no answer:
     * until then a public URL that reaches another instance looks no different from a good one.
     */
    private Reachability firstAnswer() {
        Reachability now = callbacks.get();
        long deadline = System.nanoTime() + FIRST_CHECK_WAIT.toNanos();
        while (now.state() == Reachability.State.CHECKING && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PaymentException("interrupted", null, "The server is shutting down.", "Do not retry.");
            }
            now = callbacks.get();
        }
        return now;
    }

    /**
     * Adds a {@code warning} to a tool result or status view of an open payment while callbacks are
     * known not to arrive, so the model does not wait for them in silence.
     */
    public void warnIfCallbacksCannotArrive(PaymentStatus status, Map<String, Object> view) {
        Reachability now = callbacks.get();
        if (now.state() != Reachability.State.UNREACHABLE || status.state().terminal()) {
            return;
        }
        view.put("warning", (now.certainlyUnreachable() ? "Twilio's status callbacks cannot reach this server right now"
                : "It could not be confirmed that Twilio's status callbacks reach this server")
                + " (" + now.detail() + "), so the status resource may not move. If it stays the same for more than "
                + "20 seconds, tell the caller there is a delay and cancel the payment with cancelPaymentCapture.");
    }
}
