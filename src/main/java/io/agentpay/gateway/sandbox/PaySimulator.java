package io.agentpay.gateway.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.state.CaptureField;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Twilio Pay simulator on loopback: the Payments create/update endpoints and Call fetch with
 * Twilio's JSON shapes, error bodies and Basic auth, plus a simulated caller who keys digits and
 * signed status callbacks. The sandbox mode runs the product against it; the tests use it as
 * their Twilio emulator, with recorded requests and injectable faults.
 */
public final class PaySimulator implements AutoCloseable {
    private static final Pattern CREATE = Pattern.compile("/2010-04-01/Accounts/(AC\\w{32})/Calls/(CA\\w{32})/Payments\\.json");
    private static final Pattern UPDATE = Pattern.compile("/2010-04-01/Accounts/(AC\\w{32})/Calls/(CA\\w{32})/Payments/(PK\\w{32})\\.json");
    private static final Pattern CALL = Pattern.compile("/2010-04-01/Accounts/(AC\\w{32})/Calls/(CA\\w{32})\\.json");
    private static final Pattern CALLS = Pattern.compile("/2010-04-01/Accounts/(AC\\w{32})/Calls\\.json");
    private static final Pattern HEX_SID = Pattern.compile("(AC|CA|PK)[0-9a-fA-F]{32}");
    private static final Set<String> CARD_TYPES = Set.of("visa", "mastercard", "amex", "maestro", "discover", "optima",
            "jcb", "diners-club", "enroute");
    /** Twilio's REST date format, e.g. {@code Tue, 24 Nov 2026 15:04:05 +0000}. */
    static final DateTimeFormatter RFC_2822 = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", java.util.Locale.US);

    /** Credentials the simulator accepts: an API key pair, and the auth token it signs callbacks with. */
    public record Credentials(String accountSid, String apiKey, String apiSecret, String authToken) {
        /** Fixed, obviously fake SIDs with per-process random secrets: nothing that works on real Twilio. */
        public static Credentials sandbox() {
            return new Credentials("AC5a4db0c5" + "0".repeat(20) + "5a4d", "SK5a4db0c5" + "0".repeat(20) + "5a4d",
                    "sandbox-" + random(12), "sandbox-token-" + random(12));
        }
    }

    /** One request the simulator received, for tests to inspect. */
    public record Recorded(String method, String path, Map<String, String> params, String user) {}

    /** A failure to answer the next request with: an HTTP status and Twilio code, or a delay. */
    public record Fault(int status, int code, String message, Integer retryAfterSeconds, long delayMillis) {
        public static Fault status(int status, int code, String message) {
            return new Fault(status, code, message, null, 0);
        }

        public static Fault delay(long millis) {
            return new Fault(0, 0, null, null, millis);
        }
    }

    static {
        // The JDK server otherwise leaves Nagle on, and each answer waits for the client's delayed ACK (~40 ms).
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final Credentials credentials;
    private final Duration keyDelay;
    private final HttpServer server;
    private final CallbackSender callbacks;
    private final Object lock = new Object();
    private final Map<String, SimulatedSession> sessions = new HashMap<>();
    private final Map<String, String> callStatus = new HashMap<>();
    private final CallTopology topology = new CallTopology();
    private final Map<String, Object[]> idempotent = new HashMap<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    /** The latest requests only, so that a sandbox left running for days does not grow without bound. */
    private static final int RECORDED = 1_000;
    private final Deque<Recorded> requests = new ArrayDeque<>();
    private final java.util.concurrent.atomic.AtomicLong requestCount = new java.util.concurrent.atomic.AtomicLong();
    private final Map<String, Integer> duplicateDeliveries = new ConcurrentHashMap<>();
    private volatile BiFunction<String, String, String> rewriter;

    private final ExecutorService handlers = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "pay-simulator");
        t.setDaemon(true);
        return t;
    });

    public PaySimulator(Credentials credentials, Duration keyDelay) throws IOException {
        this.credentials = credentials;
        this.keyDelay = keyDelay;
        this.callbacks = new CallbackSender(credentials.authToken());
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(handlers);
        server.start();
    }

    /** Base URL to give as TWILIO_API_BASE_URL. */
    public URI baseUrl() {
        return URI.create("http://localhost:" + server.getAddress().getPort());
    }

    public Credentials credentials() { return credentials; }

    /** The latest requests received (up to 1,000), oldest first. */
    public List<Recorded> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** How many requests were received in all. */
    public long requestCount() { return requestCount.get(); }

    /** Answers the next requests with these faults, in order, before behaving normally again. */
    public void inject(Fault... next) {
        synchronized (lock) {
            faults.addAll(List.of(next));
        }
    }

    /**
     * For tests: every answer the simulator composes (not injected faults) passes through
     * {@code rewriter.apply("METHOD /path", body)} before it is sent, so a test can plant what a
     * hostile or broken Twilio might answer. Null answers normally again.
     */
    public void rewriteAnswers(BiFunction<String, String, String> rewriter) {
        this.rewriter = rewriter;
    }

    /** How many callbacks are scheduled and not yet answered by the receiver: 0 once everything sent so far has arrived. */
    public int callbacksInFlight() {
        return callbacks.inFlight();
    }

    /** Delivers every callback of payments on this call {@code times} times (Twilio redelivers on timeouts). */
    public void redeliverCallbacks(String callSid, int times) {
        duplicateDeliveries.put(callSid, times);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery();
            Map<String, String> params = form(exchange.getRequestMethod().equals("GET") && query != null ? query
                    : new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String user = user(exchange.getRequestHeaders().getFirst("Authorization"));
            Recorded recorded = new Recorded(exchange.getRequestMethod(), path, Map.copyOf(params), user);
            synchronized (requests) {
                if (requests.size() == RECORDED) {
                    requests.removeFirst();
                }
                requests.addLast(recorded);
            }
            requestCount.incrementAndGet();
            Fault fault;
            synchronized (lock) {
                fault = faults.poll();
            }
            if (fault != null && fault.delayMillis() > 0) {
                sleep(fault.delayMillis());
            }
            if (fault != null && fault.status() > 0) {
                if (fault.retryAfterSeconds() != null) {
                    exchange.getResponseHeaders().set("Retry-After", String.valueOf(fault.retryAfterSeconds()));
                }
                error(exchange, fault.status(), fault.code(), fault.message());
                return;
            }
            Object[] reply = route(exchange.getRequestMethod(), path, params, exchange.getRequestHeaders().getFirst("Authorization"));
            BiFunction<String, String, String> rewrite = rewriter;
            String body = (String) reply[1];
            respond(exchange, (Integer) reply[0], rewrite == null ? body : rewrite.apply(exchange.getRequestMethod() + " " + path, body));
        }
    }

    /** Returns {status, body}. */
    private Object[] route(String method, String path, Map<String, String> params, String authorization) {
        Matcher m;
        String account = null;
        if ((m = CREATE.matcher(path)).matches() || (m = UPDATE.matcher(path)).matches() || (m = CALL.matcher(path)).matches()
                || (m = CALLS.matcher(path)).matches()) {
            account = m.group(1);
        }
        if (account == null) {
            return errorBody(404, 20404, "The requested resource " + path + " was not found");
        }
        if (!authorized(account, authorization)) {
            return errorBody(401, 20003, "Authenticate");
        }
        for (int g = 2; g <= m.groupCount(); g++) {
            if (!HEX_SID.matcher(m.group(g)).matches()) {
                return errorBody(404, 20404, "The requested resource " + path + " was not found");
            }
        }
        synchronized (lock) {
            if (CALL.matcher(path).matches() && method.equals("GET")) {
                return new Object[] {200, json(callJson(account, m.group(2)))};
            }
            if (CALLS.matcher(path).matches() && method.equals("GET")) {
                return listCalls(account, path, params.get("ParentCallSid"));
            }
            if (!method.equals("POST")) {
                return errorBody(405, 20004, "Method not allowed");
            }
            String key = params.get("IdempotencyKey");
            if (key == null || key.isBlank()) {
                return errorBody(400, 64015, "IdempotencyKey is required");
            }
            Object[] earlier = idempotent.get(path + "|" + key);
            if (earlier != null) {
                return earlier;
            }
            Object[] reply = path.endsWith("/Payments.json") ? create(account, m.group(2), params)
                    : update(account, m.group(2), m.group(3), params);
            if ((Integer) reply[0] < 500) {
                idempotent.put(path + "|" + key, reply);
            }
            return reply;
        }
    }

    private Map<String, Object> callJson(String account, String callSid) {
        CallTopology.Leg leg = topology.leg(callSid);
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("sid", callSid);
        call.put("account_sid", account);
        call.put("parent_call_sid", leg.parentCallSid());
        call.put("status", callStatus(callSid));
        call.put("direction", leg.direction());
        call.put("from", leg.from());
        call.put("to", leg.to());
        call.put("date_created", RFC_2822.format(ZonedDateTime.now(ZoneOffset.UTC)));
        call.put("uri", "/2010-04-01/Accounts/" + account + "/Calls/" + callSid + ".json");
        return call;
    }

    /** {@code GET Calls.json?ParentCallSid=…}: one page, in Twilio's list shape. */
    private Object[] listCalls(String account, String path, String parentCallSid) {
        if (parentCallSid == null || !HEX_SID.matcher(parentCallSid).matches() || !parentCallSid.startsWith("CA")) {
            return errorBody(400, 20001, "This simulator lists calls by ParentCallSid only");
        }
        List<Map<String, Object>> calls = topology.children(parentCallSid).stream()
                .map(leg -> callJson(account, leg.callSid())).toList();
        String uri = path + "?ParentCallSid=" + parentCallSid + "&PageSize=50&Page=0";
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("calls", calls);
        page.put("first_page_uri", uri);
        page.put("next_page_uri", null);
        page.put("previous_page_uri", null);
        page.put("page", 0);
        page.put("page_size", 50);
        page.put("start", 0);
        page.put("end", Math.max(0, calls.size() - 1));
        page.put("uri", uri);
        return new Object[] {200, Json.write(page)};
    }

    private String callStatus(String callSid) {
        return callStatus.computeIfAbsent(callSid, sid -> Scenario.of(sid) == Scenario.CALL_ENDED ? "completed" : "in-progress");
    }

    private Object[] create(String account, String callSid, Map<String, String> p) {
        if (!"in-progress".equals(callStatus(callSid))) {
            return errorBody(400, 21220, "Call is not in-progress. Cannot start a payment session.");
        }
        String url = p.get("StatusCallback");
        if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
            return errorBody(400, 64020, "StatusCallback must be an absolute http(s) URL");
        }
        String method = p.getOrDefault("PaymentMethod", "credit-card");
        if (!method.equals("credit-card") && !method.equals("ach-debit")) {
            return errorBody(400, 64020, "Invalid PaymentMethod");
        }
        if (p.containsKey("BankAccountType") && method.equals("credit-card")) {
            return errorBody(400, 64017, "BankAccountType is only valid with ach-debit");
        }
        if (p.containsKey("TokenType") && !Set.of("one-time", "reusable", "payment-method").contains(p.get("TokenType"))) {
            return errorBody(400, 64020, "Invalid TokenType");
        }
        String amount = p.get("ChargeAmount");
        if (amount != null && (!amount.matches("\\d{1,6}(\\.\\d{1,4})?"))) {
            return errorBody(400, 64003, "ChargeAmount is not valid");
        }
        String types = p.get("ValidCardTypes");
        if (types != null && !Set.of(types.trim().split("\\s+")).stream().allMatch(CARD_TYPES::contains)) {
            return errorBody(400, 64020, "Invalid ValidCardTypes");
        }
        for (String flag : List.of("SecurityCode", "PostalCode")) {
            if (p.containsKey(flag) && !Set.of("true", "false").contains(p.get(flag))) {
                return errorBody(400, 64020, "Invalid " + flag);
            }
        }
        CreateRules.Refusal refusal = CreateRules.check(p, method.equals("ach-debit"));
        if (refusal != null) {
            return errorBody(400, refusal.code(), refusal.message());
        }
        boolean open = sessions.values().stream().anyMatch(s -> s.callSid.equals(callSid) && !s.closed);
        if (open) {
            return errorBody(400, 64021, "A payment session is already in progress on this call (session-in-progress)");
        }
        String paymentSid = "PK" + random(16);
        SimulatedSession session = new SimulatedSession(paymentSid, callSid, topology.reported(callSid), account,
                Scenario.of(callSid), Map.copyOf(p));
        session.hearsKeypad = topology.reachesPhone(callSid);
        sessions.put(paymentSid, session);
        send(session, session.common(), 1);
        return new Object[] {201, paymentJson(session)};
    }

    private Object[] update(String account, String callSid, String paymentSid, Map<String, String> p) {
        SimulatedSession session = sessions.get(paymentSid);
        if (session == null || !session.callSid.equals(callSid)) {
            return errorBody(404, 20404, "The requested resource /Payments/" + paymentSid + " was not found");
        }
        if (!"in-progress".equals(callStatus(callSid))) {
            return errorBody(400, 21220, "Call is not in-progress. Cannot update the payment session.");
        }
        String capture = p.get("Capture");
        String status = p.get("Status");
        if ((capture == null) == (status == null)) {
            return errorBody(400, 64018, "Exactly one of Capture or Status is required");
        }
        if (session.closed) {
            return errorBody(400, 64021, "The payment session is no longer in progress");
        }
        if (status != null) {
            if (status.equals("cancel")) {
                session.closed = true;
                session.ending = "cancel";
                Map<String, String> f = session.common();
                f.put("DateUpdated", session.date(java.time.Instant.now()));
                send(session, f, 1);
            } else if (status.equals("complete")) {
                if (!session.required.isEmpty()) {
                    return errorBody(400, 64019, "Cannot complete: required fields are missing: " + session.requiredText());
                }
                session.closed = true;
                Map<String, String> outcome = session.outcome();
                session.ending = outcome.get("Result");
                send(session, outcome, 2);
            } else {
                return errorBody(400, 64020, "Invalid Status");
            }
            return new Object[] {202, paymentJson(session)};
        }
        CaptureField field = CaptureField.parse(capture).filter(f -> f.wire().equals(capture)).orElse(null);
        if (field == null) {
            return errorBody(400, 64020, "Invalid Capture value");
        }
        if (field.isMatcher() && !session.matching.contains(field.firstEntry())) {
            return errorBody(400, 64020, "Capture " + capture + " needs RequireMatchingInputs to include "
                    + field.firstEntry().wire());
        }
        simulateCaller(session, field);
        return new Object[] {202, paymentJson(session)};
    }

    /**
     * The caller keys the field: a progress callback, then the field's result (in the other order
     * in the scenarios whose progress arrives late).
     */
    private void simulateCaller(SimulatedSession session, CaptureField field) {
        int attempt = session.attempts.merge(field, 1, Integer::sum);
        String value = session.hearsKeypad ? session.keys(field, attempt) : "";
        session.require(field);
        Map<String, String> progress = session.common();
        progress.put("DateUpdated", session.date(java.time.Instant.now()));
        progress.put("Capture", field.wire());
        progress.put("Required", session.requiredText());
        progress.put("PartialResult", "true");
        session.putMasked(progress);
        if (field == CaptureField.PAYMENT_CARD_NUMBER) {
            progress.put("PaymentCardNumber", "x".repeat(Math.max(1, value.length() / 2)));
        }
        int late = session.lateProgress() ? 3 : 1;
        send(session, progress, late);
        if (session.scenario == Scenario.HANG_UP && field == CaptureField.PAYMENT_CARD_NUMBER) {
            callStatus.put(session.callSid, "completed");
            session.closed = true;
            session.ending = "caller-hung-up";
            Map<String, String> ended = session.common();
            ended.put("DateUpdated", session.date(java.time.Instant.now().plusMillis(keyDelay.toMillis())));
            ended.put("Result", "caller-hung-up");
            send(session, ended, 2);
            return;
        }
        String error = session.check(field, value);
        if (error == null) {
            session.keyed.put(field, value);
            session.required.remove(field);
            if (!field.isMatcher()) {
                session.require(field.firstEntry()); // a new first entry must be confirmed again
                session.required.remove(field);
            }
        } else if ("input-matching-failed".equals(error)) {
            // Both entries again: the first one is forgotten.
            session.keyed.remove(field.firstEntry());
            session.required.add(Math.max(0, session.required.indexOf(field)), field.firstEntry());
        }
        Map<String, String> result = session.common();
        result.put("DateUpdated", session.date(java.time.Instant.now().plusMillis(keyDelay.toMillis())));
        result.put("Capture", field.wire());
        result.put("Required", session.requiredText());
        result.put("PartialResult", "false");
        session.putMasked(result);
        if (error != null) {
            result.put("ErrorType", error);
        }
        send(session, result, 2);
    }

    private void send(SimulatedSession session, Map<String, String> fields, int steps) {
        String url = session.createParams.get("StatusCallback");
        callbacks.send(url, fields, keyDelay.multipliedBy(steps), duplicateDeliveries.getOrDefault(session.callSid, 1));
    }

    private boolean authorized(String account, String authorization) {
        if (authorization == null || !authorization.startsWith("Basic ")) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return account.equals(credentials.accountSid())
                && (decoded.equals(credentials.apiKey() + ":" + credentials.apiSecret())
                || decoded.equals(credentials.accountSid() + ":" + credentials.authToken()));
    }

    private static String user(String authorization) {
        if (authorization == null || !authorization.startsWith("Basic ")) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            return decoded.contains(":") ? decoded.substring(0, decoded.indexOf(':')) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private String paymentJson(SimulatedSession s) {
        String now = RFC_2822.format(ZonedDateTime.now(ZoneOffset.UTC));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("account_sid", s.accountSid);
        body.put("call_sid", s.callSid);
        body.put("sid", s.paymentSid);
        body.put("date_created", RFC_2822.format(s.created.atZone(ZoneOffset.UTC)));
        body.put("date_updated", now);
        body.put("uri", "/2010-04-01/Accounts/" + s.accountSid + "/Calls/" + s.callSid + "/Payments/" + s.paymentSid + ".json");
        return json(body);
    }

    private static Object[] errorBody(int status, int code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", message);
        body.put("more_info", "https://www.twilio.com/docs/errors/" + code);
        body.put("status", status);
        return new Object[] {status, json(body)};
    }

    private static void error(HttpExchange exchange, int status, int code, String message) throws IOException {
        Object[] body = errorBody(status, code, message == null ? "Simulated failure" : message);
        respond(exchange, status, (String) body[1]);
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String json(Map<String, Object> map) {
        return Json.write(map);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return params;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(k, v);
        }
        return params;
    }

    static String random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Where one session stands at the simulator (Twilio's side), for tests to compare with the
     * server's state: {@code ending} is null while it is open, else "cancel" or the outcome's Result.
     */
    public record SessionState(String paymentSid, String callSid, String ending, List<CaptureField> required) {}

    public List<SessionState> sessionStates() {
        synchronized (lock) {
            return sessions.values().stream()
                    .map(s -> new SessionState(s.paymentSid, s.callSid, s.ending, List.copyOf(s.required))).toList();
        }
    }

    /** How many callback deliveries (redeliveries included) the simulator has posted. */
    public long callbacksPosted() {
        return callbacks.posted();
    }

    /** Every session the simulator holds, for tests. */
    public List<String> paymentSids() {
        synchronized (lock) {
            return new ArrayList<>(sessions.keySet());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
        callbacks.close();
    }
}
