package io.agentpay.gateway.callback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentpay.gateway.mcp.McpLog;
import io.agentpay.gateway.state.PaymentField;
import io.agentpay.gateway.state.PaymentStatus;
import io.agentpay.gateway.state.PaymentStore;
import io.agentpay.gateway.state.PaymentUpdate;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.BindException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP endpoint Twilio posts payment callbacks to: {@code POST /callbacks/{secret}}, form
 * encoded (JSON accepted too). It authenticates each request, merges it into the store and
 * answers at once; notifications to the MCP client happen on other threads.
 */
public final class CallbackServer implements AutoCloseable {
    public static final String PATH = "/callbacks/";
    public static final long MAX_BODY_BYTES = 64 * 1024;
    private static final int PORT_ATTEMPTS = 20;

    private final PaymentStore store;
    private final McpLog log;
    private final CallbackAuth auth;
    private final ObjectMapper json;
    private volatile Supplier<String> publicBaseUrl = () -> null;
    private Javalin app;

    public CallbackServer(PaymentStore store, McpLog log, CallbackAuth auth, ObjectMapper json) {
        this.store = store;
        this.log = log;
        this.auth = auth;
        this.json = json;
    }

    /**
     * Binds to {@code host} and {@code port}, moving up to the next free port when it is taken
     * (0 picks any free port). Returns the port bound.
     */
    public int start(String host, int port) throws BindException {
        int candidate = port;
        for (int attempt = 0; ; attempt++) {
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
        this.publicBaseUrl = supplier;
    }

    public String callbackPath() {
        return PATH + auth.secret();
    }

    public int port() {
        return app.port();
    }

    private Javalin create() {
        QueuedThreadPool threads = new QueuedThreadPool(Integer.getInteger("agentpay.callbackThreads", 6), 2, 30_000);
        threads.setName("callbacks");
        threads.setDaemon(true);
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = MAX_BODY_BYTES;
            config.jetty.threadPool = threads;
            config.routes.post(PATH + "{secret}", this::handle);
            config.routes.exception(CallbackParser.InvalidCallback.class, (e, ctx) -> {
                log.warning("callbacks", "Refused a malformed callback: " + e.getMessage() + ".");
                ctx.status(400).result("Invalid callback: " + e.getMessage() + ".");
            });
            config.routes.exception(PaymentStore.StoreFullException.class, (e, ctx) -> {
                log.error("callbacks", e.getMessage());
                ctx.status(503).result("Too many payment sessions.");
            });
        });
    }

    private void handle(Context ctx) throws IOException {
        if (!auth.secretMatches(ctx.pathParam("secret"))) {
            log.warning("callbacks", "Refused a callback from " + ctx.ip() + ": unknown callback path.");
            ctx.status(404).result("Not found.");
            return;
        }
        Map<String, String> params = params(ctx);
        if (params == null) {
            return;
        }
        String query = ctx.queryString();
        String url = publicBaseUrl.get() + ctx.path() + (query == null || query.isEmpty() ? "" : "?" + query);
        if (!auth.signatureMatches(url, params, ctx.header("X-Twilio-Signature"))) {
            log.warning("callbacks", "Refused a callback from " + ctx.ip() + ": X-Twilio-Signature does not match.");
            ctx.status(403).result("Invalid signature.");
            return;
        }
        PaymentUpdate update = CallbackParser.parse(params::get, ctx.header("I-Twilio-Idempotency-Token"));
        store.apply(update).ifPresent(status -> log.info("callbacks", summary(status)));
        ctx.status(200);
    }

    /** Form fields (or a flat JSON object) as single values; answers 415 and returns null for other bodies. */
    private Map<String, String> params(Context ctx) throws IOException {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(java.util.Locale.ROOT);
        Map<String, String> params = new HashMap<>();
        if (type.startsWith("application/x-www-form-urlencoded")) {
            return FormBody.parse(ctx.bodyAsBytes());
        }
        if (type.startsWith("application/json")) {
            JsonNode body;
            try {
                body = json.readTree(ctx.bodyAsBytes());
            } catch (IOException e) {
                throw new CallbackParser.InvalidCallback("body is not valid JSON");
            }
            if (body == null || !body.isObject()) {
                throw new CallbackParser.InvalidCallback("JSON body must be an object of fields");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                params.put(entry.getKey(), entry.getValue().isValueNode() ? entry.getValue().asText() : "");
            }
            return params;
        }
        ctx.status(415).result("Callbacks must be application/x-www-form-urlencoded or application/json.");
        return null;
    }

    /** One line for the log: SIDs, state and masked card data only. */
    static String summary(PaymentStatus s) {
        StringBuilder line = new StringBuilder("Payment ").append(s.paymentSid()).append(" is ").append(s.state().wire());
        if (s.capture() != null) {
            line.append(", capture ").append(s.capture().wire()).append(s.partialResult() ? " (in progress)" : "");
        }
        if (s.errorType() != null) {
            line.append(", error ").append(s.errorType());
        }
        if (s.required() != null) {
            line.append(", required [").append(String.join(",", s.required().stream().map(f -> f.wire()).toList())).append(']');
        }
        String card = s.value(PaymentField.PAYMENT_CARD_NUMBER);
        if (card != null) {
            line.append(", card ").append(card);
        }
        String result = s.value(PaymentField.RESULT);
        if (result != null) {
            line.append(", result ").append(result);
        }
        return line.toString();
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
