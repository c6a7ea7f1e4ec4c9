package io.agentpay.gateway.tunnel;

import io.agentpay.gateway.callback.CallbackServer;
import io.agentpay.gateway.log.Log;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Checks, end to end, that the public URL still reaches this server's callback endpoint: a GET
 * through the tunnel to the secret callback path must come back with the endpoint's own answer,
 * which no other server (another instance included) can give. Runs at start, then every
 * interval; a failure is confirmed once before it is reported. While unreachable it checks more
 * often, reopens a tunnel the server owns (ngrok) every few failures, and reports recovery.
 */
public final class TunnelMonitor implements AutoCloseable {
    private static final Duration CONFIRM_AFTER = Duration.ofSeconds(1);
    private static final Duration RETRY_CEILING = Duration.ofSeconds(5);
    private static final int REOPEN_EVERY = 3;
    /** The longest wait between attempts to open a tunnel that failed to open at start-up. */
    private static final Duration OPEN_BACKOFF_CEILING = Duration.ofSeconds(60);

    private final String callbackPath;
    private final Duration interval;
    private final Duration timeout;
    private final Log log;
    private final ScheduledExecutorService executor;
    private volatile Tunnel tunnel;
    private volatile Reachability reachability;
    private volatile Supplier<String> pressure = () -> null;
    private ScheduledFuture<?> next;
    private int failures;
    private int openFailures;
    private volatile boolean closed;

    /**
     * @param interval how often to check; zero turns checking off
     * @param timeout  how long one check may take to connect and to answer
     */
    public TunnelMonitor(Tunnel tunnel, String callbackPath, Duration interval, Duration timeout, Log log) {
        this.tunnel = tunnel;
        this.callbackPath = callbackPath;
        this.interval = interval;
        this.timeout = timeout;
        this.log = log;
        this.reachability = !tunnel.isOpen() ? notOpen(tunnel, tunnel instanceof UnopenedTunnel u ? u.failure() : "not opened", Instant.now())
                : interval.isZero() ? new Reachability(Reachability.State.UNCHECKED, "", Instant.now(), false, false)
                : Reachability.checking();
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tunnel-check");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * What hostile traffic the callback port is turning away now, or null: when a check fails
     * during an attack, the warning says so instead of advising to check the tunnel or restart.
     */
    public void explainFailuresWith(Supplier<String> pressure) {
        this.pressure = pressure;
    }

    /** Starts checking (the first check runs at once); does nothing when checking is off. */
    public void start() {
        if (!tunnel.isOpen()) {
            // Opened with backoff even when checking is off: without it no payment can be taken at all.
            warnNotOpen(reachability);
            schedule(openBackoff());
            return;
        }
        if (interval.isZero()) {
            return;
        }
        tunnel.onTrouble(this::checkSoon);
        executor.execute(this::check);
    }

    /** The tunnel in use now (it changes when a dropped ngrok tunnel is reopened). */
    public Tunnel tunnel() {
        return tunnel;
    }

    public Reachability reachability() {
        return reachability;
    }

    /** Checks as soon as possible, e.g. when the tunnel's agent reports a missed heartbeat. */
    public void checkSoon() {
        if (!closed && !interval.isZero()) {
            try {
                executor.execute(this::check);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    private void check() {
        if (closed) {
            return;
        }
        if (next != null) {
            next.cancel(false);
        }
        Tunnel current = tunnel;
        if (!current.isOpen()) {
            open(current);
            return;
        }
        Probe result = probe(current);
        String problem = result.problem();
        Reachability before = reachability;
        if (problem == null) {
            failures = 0;
            if (before.state() != Reachability.State.REACHABLE) {
                reachability = new Reachability(Reachability.State.REACHABLE, "", Instant.now(), true, false);
                if (before.state() == Reachability.State.UNREACHABLE) {
                    log.info("tunnel", "Callbacks reach this server again through " + current.publicUrl() + " (unreachable for "
                            + Duration.between(before.since(), Instant.now()).toSeconds() + " s).");
                } else {
                    log.debug("tunnel", "Checked end to end: " + current.publicUrl() + " reaches the callback endpoint.");
                }
            }
            schedule(interval);
            return;
        }
        failures++;
        if (failures == 1 && before.state() != Reachability.State.UNREACHABLE) {
            schedule(CONFIRM_AFTER.compareTo(interval) < 0 ? CONFIRM_AFTER : interval);
            return;
        }
        boolean newlyDown = before.state() != Reachability.State.UNREACHABLE;
        if (newlyDown || before.otherServer() != result.otherServer()) {
            String attack = pressure.get();
            String detail = current.publicUrl() + " does not reach this server's callback endpoint: " + problem + ". "
                    + (attack == null ? current.whatToCheck() : "The likely cause: " + attack + ".");
            Reachability now = new Reachability(Reachability.State.UNREACHABLE, detail,
                    newlyDown ? Instant.now() : before.since(), before.everReachable(), result.otherServer());
            reachability = now;
            if (now.certainlyUnreachable()) {
                log.warning("tunnel", "Twilio's callbacks cannot reach this server" + (now.everReachable() ? " any more" : "")
                        + ": " + detail + " New payments are refused until it is back; the server checks again every "
                        + retryDelay().toSeconds() + " s.");
            } else {
                log.warning("tunnel", "Could not confirm that Twilio's callbacks can reach this server: " + detail
                        + " (Some networks cannot reach their own public URL from inside; if payments do progress, "
                        + "set TUNNEL_CHECK_INTERVAL=0 to stop this check.)");
            }
        }
        if (failures % REOPEN_EVERY == 0) {
            reopen(current);
        }
        schedule(retryDelay());
    }

    private void reopen(Tunnel current) {
        try {
            Tunnel reopened = current.reopen();
            if (reopened != current) {
                tunnel = reopened;
                reopened.onTrouble(this::checkSoon);
                log.info("tunnel", "Reopened the tunnel: callbacks now go to " + reopened.publicUrl()
                        + "; payments started or steered from now on use it.");
                executor.execute(this::check);
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            log.warning("tunnel", "Could not reopen the tunnel yet: " + e.getMessage());
        }
    }

    /** One attempt to open a tunnel that failed to open at start-up; on success it is checked end to end at once. */
    private void open(Tunnel pending) {
        Tunnel opened;
        try {
            opened = pending.reopen();
        } catch (IOException | RuntimeException | LinkageError e) {
            openFailures++;
            Reachability before = reachability;
            Reachability now = notOpen(pending, e.getMessage(), before.since());
            reachability = now;
            if (!now.detail().equals(before.detail())) {
                warnNotOpen(now);
            }
            schedule(openBackoff());
            return;
        }
        tunnel = opened;
        log.info("tunnel", "Opened the tunnel after " + (openFailures + 1) + " failed attempts: callbacks now go to "
                + opened.publicUrl() + (interval.isZero() ? "." : "; new payments are taken once it is checked end to end."));
        openFailures = 0;
        if (interval.isZero()) {
            reachability = new Reachability(Reachability.State.UNCHECKED, "", Instant.now(), false, false);
            return;
        }
        reachability = Reachability.checking();
        opened.onTrouble(this::checkSoon);
        executor.execute(this::check);
    }

    private static Reachability notOpen(Tunnel pending, String failure, Instant since) {
        return new Reachability(Reachability.State.UNREACHABLE, "the tunnel could not be opened: " + failure + ". "
                + pending.whatToCheck(), since, false, false, true);
    }

    private void warnNotOpen(Reachability now) {
        log.warning("tunnel", "Twilio's callbacks cannot reach this server: " + now.detail() + " New payments are refused "
                + "until it opens; the next attempt is in " + openBackoff().toSeconds() + " s.");
    }

    /** Doubles from the retry delay (5 s, or the interval if shorter) up to a minute. */
    private Duration openBackoff() {
        Duration base = interval.isZero() ? RETRY_CEILING : retryDelay();
        Duration delay = base.multipliedBy(1L << Math.min(openFailures, 10));
        return delay.compareTo(OPEN_BACKOFF_CEILING) > 0 ? OPEN_BACKOFF_CEILING : delay;
    }

    private Duration retryDelay() {
        return interval.compareTo(RETRY_CEILING) < 0 ? interval : RETRY_CEILING;
    }

    private void schedule(Duration delay) {
        if (!closed) {
            try {
                next = executor.schedule(this::check, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    /** What one check found: no problem, or what went wrong (without the secret path) and whether another server answered. */
    private record Probe(String problem, boolean otherServer) {
        static final Probe OK = new Probe(null, false);

        static Probe failed(String problem) {
            return new Probe(problem, false);
        }
    }

    private Probe probe(Tunnel current) {
        HttpURLConnection connection;
        try {
            connection = (HttpURLConnection) URI.create(current.publicUrl() + callbackPath).toURL().openConnection();
        } catch (IOException | IllegalArgumentException e) {
            return Probe.failed("it is not a usable URL");
        }
        try {
            int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            connection.setConnectTimeout(millis);
            connection.setReadTimeout(millis);
            connection.setUseCaches(false);
            connection.setInstanceFollowRedirects(false);
            connection.setRequestProperty("User-Agent", "twilio-agent-payments-mcp-gateway tunnel check");
            connection.setRequestProperty("ngrok-skip-browser-warning", "1");
            int status = connection.getResponseCode();
            String body;
            try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
                body = in == null ? "" : new String(in.readNBytes(256), StandardCharsets.UTF_8);
            }
            if (status == 200 && body.startsWith(CallbackServer.PROBE_ANSWER)) {
                return Probe.OK;
            }
            if (status == 404) {
                return new Probe("it answers HTTP 404 for this server's callback path, so it reaches another server (perhaps "
                        + "another instance of this gateway, or a proxy pointed at the wrong port)", true);
            }
            return new Probe("it answers HTTP " + status + " instead of this server's callback endpoint", true);
        } catch (SocketTimeoutException e) {
            connection.disconnect();
            return Probe.failed("no answer within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            connection.disconnect();
            return Probe.failed("cannot connect (" + why(e) + ")");
        }
    }

    /** The most telling reason in an I/O failure's causes, in words. */
    private static String why(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.UnknownHostException || t instanceof java.nio.channels.UnresolvedAddressException) {
                return "its host name does not resolve";
            }
            if (t instanceof java.net.ConnectException) {
                return "connection refused";
            }
            if (t instanceof javax.net.ssl.SSLException) {
                return "TLS failed: " + t.getMessage();
            }
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        tunnel.close();
    }
}
