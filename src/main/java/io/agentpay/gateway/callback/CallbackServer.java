package io.agentpay.gateway.callback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.UnixOperatingSystemMXBean;
import io.agentpay.gateway.log.Log;
import io.agentpay.gateway.state.PaymentStore;
import io.javalin.Javalin;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP endpoint Twilio posts payment callbacks to: {@code POST /callbacks/{secret}}, form
 * encoded (JSON accepted too), on an embedded Javalin server. Each request is authenticated,
 * masked and merged into the store and answered at once; notifications to the MCP client
 * happen on other threads. The port is bounded against hostile traffic ({@link CallbackConnector}),
 * refusals are counted rather than relayed ({@link Refusals}), and Jetty's own error pages are
 * plain text that echoes nothing.
 */
public final class CallbackServer implements AutoCloseable {
    public static final String PATH = "/callbacks/";
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** The answer to a GET on this server's own callback path: how the tunnel check knows it reached this server. */
    public static final String PROBE_ANSWER = "twilio-agent-payments-mcp-gateway callback endpoint";
    private static final int PORT_ATTEMPTS = 20;
    private static final int THREADS = 6;
    /** Refusals a second from which a failing tunnel check is explained by them. */
    private static final long PRESSURE = 20;

    static {
        spareJettyTheManagementBeans();
    }

    /**
     * Left unset, Jetty asks the platform MBean server whether references are compressed, which loads and starts
     * the management beans (some 250 classes, a fifth of the endpoint's start-up). The same answer, from the
     * property the JVM sets only when they are; a value given on the command line is kept. It must run before
     * Jetty is first used in the process: this class does it for the callback endpoint; a server that starts
     * another Jetty first (the MCP HTTP port) calls it before that.
     */
    public static void spareJettyTheManagementBeans() {
        if (System.getProperty("org.eclipse.jetty.util.referencesPerCacheLine") == null) {
            int cacheLine = Integer.getInteger("org.eclipse.jetty.util.cacheLineBytes", 64);
            System.setProperty("org.eclipse.jetty.util.referencesPerCacheLine",
                    String.valueOf(cacheLine / (System.getProperty("java.vm.compressedOopsMode") != null ? 4 : 8)));
        }
    }

    private final Log log;
    private final CallbackAuth auth;
    private final CallbackIngress ingress;
    private final Limits limits;
    private Javalin app;
    private CallbackConnector connector;

    public CallbackServer(PaymentStore store, Log log, CallbackAuth auth, ObjectMapper json) {
        this(store, log, auth, json, new Limits(Duration.ofSeconds(60), CallbackConnector.limitFor(descriptorLimit()),
                Duration.ofSeconds(10)));
    }

    /**
     * How hostile traffic is bounded: refusals are summed up every {@code summaryEvery}; at most
     * {@code connections} are open at once; each must complete a request within {@code deadline}.
     */
    record Limits(Duration summaryEvery, int connections, Duration deadline) {}

    CallbackServer(PaymentStore store, Log log, CallbackAuth auth, ObjectMapper json, Limits limits) {
        this.log = log;
        this.auth = auth;
        this.ingress = new CallbackIngress(store, log, auth, json, new Refusals(log, limits.summaryEvery()));
        this.limits = limits;
    }

    /**
     * Binds to {@code host} and {@code port}, moving up to the next free port when it is taken
     * (0 picks any free port). Returns the port bound.
     */
    public int start(String host, int port) throws BindException {
        int candidate = port;
        for (int attempt = 0; ; attempt++) {
            if (port != 0 && attempt + 1 < PORT_ATTEMPTS && candidate < 65535 && !free(host, candidate)) {
                candidate++; // an expected move, not worth Javalin's "Failed to start" error line
                continue;
            }
            Javalin created = create(host, candidate);
            try {
                created.start(host, candidate);
                app = created;
                if (candidate != port && port != 0) {
                    log.warning("callbacks", "Port " + port + " is in use; the callback endpoint listens on " + app.port() + " instead.");
                }
                return app.port();
            } catch (RuntimeException e) {
                created.stop();
                if (!isBindFailure(e) || port == 0 || attempt + 1 >= PORT_ATTEMPTS || candidate >= 65535) {
                    if (isBindFailure(e)) {
                        throw new BindException("No free port for the callback endpoint on " + host + " from " + port + " to " + candidate);
                    }
                    throw e;
                }
                candidate++;
            }
        }
    }

    /** The public base URL Twilio uses to reach this endpoint; needed to check signatures. */
    public void publicBaseUrl(Supplier<String> supplier) {
        ingress.publicBaseUrl(supplier);
    }

    public String callbackPath() {
        return PATH + auth.secret();
    }

    public int port() {
        return app.port();
    }

    /**
     * What hostile traffic the port is turning away, in words, or null when there is none worth
     * mentioning: why a failing tunnel check may not mean the tunnel is down.
     */
    public String pressure() {
        CallbackConnector c = connector;
        long refused = ingress.refusals().perSecond();
        if (c == null || (refused < PRESSURE && c.openConnections() < c.limit() / 2)) {
            return null;
        }
        return "the callback port is turning away a flood of requests or slow connections (about " + Refusals.count(refused)
                + " a second; " + c.openConnections() + " of at most " + c.limit()
                + " connections open); it keeps room for new requests and closes the slowest, so this should pass once the flood eases";
    }

    /**
     * The process's limit on open files: from /proc on Linux (reading it costs nothing, where the
     * management bean loaded some 300 classes at start-up), else from the operating system bean.
     */
    static long descriptorLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).strip().split("\\s+")[0];
                    return soft.equals("unlimited") ? Integer.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: ask the management bean
        }
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : 4096;
    }

    private Javalin create(String host, int port) {
        // Few threads on purpose: the work per request is short, and fewer threads contend less on 2 cores.
        QueuedThreadPool threads = new QueuedThreadPool(THREADS, 2, 30_000);
        threads.setName("callbacks");
        threads.setDaemon(true);
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.startup.startupWatcherEnabled = false; // its thread only warns of a server created and never started
            config.http.maxRequestSize = MAX_BODY_BYTES;
            config.jetty.threadPool = threads;
            config.jetty.addConnector((server, http) -> {
                CallbackConnector created = new CallbackConnector(server, http, ingress.refusals(), limits.connections(),
                        limits.deadline());
                created.setHost(host);
                created.setPort(port);
                connector = created;
                return created;
            });
            config.jetty.modifyServer(server -> {
                server.setHandler(new CallbackHandler(server.getHandler(), ingress, auth, MAX_BODY_BYTES));
                server.setErrorHandler(new PlainErrors());
            });
        });
    }

    /** Whether the port can be bound now, tried the way Jetty binds it (address reuse on). */
    private static boolean free(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || (t.getMessage() != null && t.getMessage().contains("already in use"))) {
                return true;
            }
        }
        return false;
    }

    /** Jetty's own error answers (malformed requests, oversized headers): the status in plain text, nothing echoed. */
    private static final class PlainErrors extends ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus();
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
            String text = status + " " + HttpStatus.getMessage(status);
            response.write(true, ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), callback);
            return true;
        }
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }
}
