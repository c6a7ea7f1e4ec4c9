package io.agentpay.gateway.callback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentpay.gateway.log.Log;
import io.agentpay.gateway.state.PaymentField;
import io.agentpay.gateway.state.PaymentStatus;
import io.agentpay.gateway.state.PaymentStore;
import io.agentpay.gateway.state.PaymentUpdate;
import io.agentpay.gateway.state.StoreUnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What happens to one callback request, whatever serves HTTP: authenticate it (secret path, then
 * signature), decode the body, mask and merge it into the store, and say what to answer. Counts
 * a rejected request ({@link Refusals}: a few logged without their body, the rest summed up), and
 * logs an accepted one as a masked summary on the log's progress path, which refusals cannot fill.
 */
final class CallbackIngress {
    /** The HTTP answer: a status and a short plain-text message. */
    record Outcome(int status, String message) {}

    static final Outcome OK = new Outcome(200, "");
    private static final Outcome NOT_FOUND = new Outcome(404, "Not found.");

    private final PaymentStore store;
    private final Log log;
    private final CallbackAuth auth;
    private final ObjectMapper json;
    private final String path;
    private final Refusals refusals;
    private volatile Supplier<String> publicBaseUrl = () -> "";

    CallbackIngress(PaymentStore store, Log log, CallbackAuth auth, ObjectMapper json) {
        this(store, log, auth, json, new Refusals(log, Duration.ofSeconds(60)));
    }

    CallbackIngress(PaymentStore store, Log log, CallbackAuth auth, ObjectMapper json, Refusals refusals) {
        this.refusals = refusals;
        this.store = store;
        this.log = log;
        this.auth = auth;
        this.json = json;
        this.path = CallbackServer.PATH + auth.secret();
    }

    Refusals refusals() {
        return refusals;
    }

    void publicBaseUrl(Supplier<String> supplier) {
        this.publicBaseUrl = supplier;
    }

    /** The tunnel check: only this process's own secret path gets the endpoint's answer; no side effects, no log. */
    Outcome probe(String requestPath) {
        return auth.pathMatches(requestPath) ? new Outcome(200, CallbackServer.PROBE_ANSWER) : NOT_FOUND;
    }

    Outcome accept(String requestPath, String query, String contentType, byte[] body, Function<String, String> header,
                   Supplier<String> remote) {
        if (!auth.pathMatches(requestPath)) {
            refusals.refused(remote, "Refused a callback", "unknown callback path");
            return NOT_FOUND;
        }
        try {
            Map<String, String> params = params(contentType, body);
            if (params == null) {
                return new Outcome(415, "Callbacks must be application/x-www-form-urlencoded or application/json.");
            }
            if (auth.verifiesSignatures()) {
                String url = publicBaseUrl.get() + path + (query == null || query.isEmpty() ? "" : "?" + query);
                if (!auth.signatureMatches(url, params, header.apply("X-Twilio-Signature"))) {
                    refusals.refused(remote, "Refused a callback", "X-Twilio-Signature does not match");
                    return new Outcome(403, "Invalid signature.");
                }
            }
            PaymentUpdate update = CallbackParser.parse(params::get, header.apply("I-Twilio-Idempotency-Token"));
            // Logged by the store in merge order: two callbacks of one payment never log their summaries swapped.
            store.apply(update, status -> log.progress("callbacks", summary(status)));
            return OK;
        } catch (CallbackParser.InvalidCallback e) {
            refusals.refused(remote, "Refused a malformed callback", e.getMessage());
            return new Outcome(400, "Invalid callback: " + e.getMessage() + ".");
        } catch (PaymentStore.StoreFullException e) {
            log.error("callbacks", e.getMessage());
            return new Outcome(503, "Too many payment sessions.");
        } catch (StoreUnavailableException e) {
            log.error("callbacks", "A callback could not be stored (Twilio retries it): " + e.getMessage() + ".");
            return new Outcome(503, "Session store unavailable.");
        }
    }

    /** Form fields (or a flat JSON object) as single values; null for any other content type. */
    private Map<String, String> params(String contentType, byte[] body) {
        if (startsWithIgnoringCase(contentType, "application/x-www-form-urlencoded")) {
            return FormBody.parse(body);
        }
        if (!startsWithIgnoringCase(contentType, "application/json")) {
            return null;
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (IOException e) {
            throw new CallbackParser.InvalidCallback("body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new CallbackParser.InvalidCallback("JSON body must be an object of fields");
        }
        Map<String, String> params = new HashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            params.put(entry.getKey(), entry.getValue().isValueNode() ? entry.getValue().asText() : "");
        }
        return params;
    }

    /** Per callback, so no lower-cased copy of the header is made. */
    private static boolean startsWithIgnoringCase(String value, String prefix) {
        return value != null && value.regionMatches(true, 0, prefix, 0, prefix.length());
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
}
