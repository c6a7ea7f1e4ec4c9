package io.agentpay.gateway.callback;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentpay.gateway.mcp.McpLog;
import io.agentpay.gateway.state.PaymentStore;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.function.Supplier;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP endpoint Twilio posts payment callbacks to: {@code POST /callbacks/{secret}}, form
 * encoded (JSON accepted too), on an embedded Javalin server. Each request is authenticated,
 * masked and merged into the store and answered at once; notifications to the MCP client
 * happen on other threads.
 */
public final class CallbackServer implements AutoCloseable {
    public static final String PATH = "/callbacks/";
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** The answer to a GET on this server's own callback path: how the tunnel check knows it reached this server. */
    public static final String PROBE_ANSWER = "twilio-agent-payments-mcp-gateway callback endpoint";
    private static final int PORT_ATTEMPTS = 20;
    private static final int THREADS = 6;

    private final McpLog log;
    private final CallbackAuth auth;
    private final CallbackIngress ingress;
    private Javalin app;

    public CallbackServer(PaymentStore store, McpLog log, CallbackAuth auth, ObjectMapper json) {
        this.log = log;
        this.auth = auth;
        this.ingress = new CallbackIngress(store, log, auth, json);
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
            Javalin created = create();
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

    private Javalin create() {
        // Few threads on purpose: the work per request is short, and fewer threads contend less on 2 cores.
        QueuedThreadPool threads = new QueuedThreadPool(THREADS, 2, 30_000);
        threads.setName("callbacks");
        threads.setDaemon(true);
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = MAX_BODY_BYTES;
            config.jetty.threadPool = threads;
            config.jetty.modifyServer(server -> server.setHandler(
                    new CallbackHandler(server.getHandler(), ingress, MAX_BODY_BYTES)));
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

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }
}
