package io.agentpay.gateway.callback;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.McpLog;
import io.agentpay.gateway.state.PaymentField;
import io.agentpay.gateway.state.PaymentStatus;
import io.agentpay.gateway.state.PaymentStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import io.agentpay.gateway.resilience.CardNumbers;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Hostile and malformed callbacks, 10,000 of each kind, straight into the ingress the HTTP
 * handler uses: each gets a clear answer, none breaks the server, and a genuine callback still
 * goes through afterwards. Planted card numbers never reach the state or the log.
 */
class CallbackPropertiesTest {
    static final String AUTH_TOKEN = "property-token";
    static final String PUBLIC = "https://pay.example.com";
    static final List<String> FIELDS = List.of("Sid", "CallSid", "AccountSid", "DateCreated", "DateUpdated", "Capture",
            "Required", "PartialResult", "ErrorType", "PaymentCardNumber", "PaymentCardType", "SecurityCode", "ExpirationDate",
            "PaymentCardPostalCode", "BankAccountNumber", "BankRoutingNumber", "PaymentConfirmationCode", "Result", "ProfileId",
            "PaymentToken", "PaymentError", "PayErrorCode", "ConnectorError", "PaymentMethod", "ChargeAmount", "TokenType",
            "Currency", "PaymentConnector", "BankAccountType");
    static final List<String> IDENTIFIERS = List.of("PaymentConfirmationCode", "ProfileId", "PaymentToken");

    private PaymentStore store;
    private McpLog log;
    private CallbackAuth auth;
    private CallbackIngress ingress;
    private final AtomicLong clock = new AtomicLong();

    @BeforeProperty
    void start() {
        store = new PaymentStore(Duration.ofHours(1));
        log = new McpLog();
        auth = new CallbackAuth(CallbackAuth.newSecret(), AUTH_TOKEN);
        ingress = new CallbackIngress(store, log, auth, Json.MAPPER);
        ingress.publicBaseUrl(() -> PUBLIC);
    }

    @AfterProperty
    void stop() {
        log.close();
    }

    record Attempt(String path, String contentType, byte[] body, String signature) {}

    @Provide
    Arbitrary<Attempt> hostile() {
        Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.of(FIELDS), Arbitraries.strings().ofMaxLength(20));
        Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(60),
                Arbitraries.strings().withChars("0123456789 -x").ofMaxLength(25),
                Arbitraries.of("PK00112233445566778899aabbccddeeff", "CAfedcba9876543210fedcba9876543210", "true", "false",
                        "", "payment-card-number", "success", "2026-11-24T15:04:05.123Z", "not-a-date", "%zz", "%", "\u0000"));
        Arbitrary<Map<String, String>> fields = Arbitraries.maps(names, values).ofMaxSize(20);
        Arbitrary<byte[]> body = Arbitraries.oneOf(
                fields.map(CallbackPropertiesTest::encode),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                Arbitraries.strings().ofMaxLength(200).map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.of("{\"Sid\": [1,2]}", "{", "[]", "null", "{\"Sid\":\"PK00112233445566778899aabbccddeeff\"}")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)));
        Arbitrary<String> types = Arbitraries.of("application/x-www-form-urlencoded", "application/json", "text/plain", null,
                "multipart/form-data", "application/x-www-form-urlencoded; charset=utf-8");
        Arbitrary<String> paths = Arbitraries.of("secret", "wrong", "empty", "prefix");
        Arbitrary<String> signatures = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40), Arbitraries.just("valid"));
        return Combinators.combine(paths, types, body, signatures).as(Attempt::new);
    }

    static byte[] encode(Map<String, String> fields) {
        return TwilioPost.form(fields).getBytes(StandardCharsets.UTF_8);
    }

    private String path(String kind) {
        return switch (kind) {
            case "secret" -> CallbackServer.PATH + auth.secret();
            case "wrong" -> CallbackServer.PATH + "x" + auth.secret().substring(1);
            case "empty" -> CallbackServer.PATH;
            default -> CallbackServer.PATH + auth.secret().substring(0, 10);
        };
    }

    private CallbackIngress.Outcome send(String path, String type, byte[] body, String signature) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (signature != null) {
            headers.put("X-Twilio-Signature", signature);
        }
        return ingress.accept(path, null, type, body, headers::get, () -> "203.0.113.9");
    }

    private CallbackIngress.Outcome sendSigned(Map<String, String> fields) throws Exception {
        String path = path("secret");
        return send(path, "application/x-www-form-urlencoded", encode(fields), TwilioPost.signature(AUTH_TOKEN, PUBLIC + path, fields));
    }

    @Property
    void everyHostileCallbackGetsAClearAnswerAndAGenuineOneStillWorks(@ForAll("hostile") Attempt attempt) throws Exception {
        String path = path(attempt.path());
        String signature = attempt.signature();
        if ("valid".equals(signature)) {
            Map<String, String> parsed;
            try {
                parsed = FormBody.parse(attempt.body());
            } catch (RuntimeException e) {
                parsed = Map.of();
            }
            signature = TwilioPost.signature(AUTH_TOKEN, PUBLIC + path, parsed);
        }
        CallbackIngress.Outcome outcome = send(path, attempt.contentType(), attempt.body(), signature);
        assertThat(outcome.status()).isIn(200, 400, 403, 404, 415);
        if (outcome.status() != 200) {
            assertThat(outcome.message()).isNotBlank().hasSizeLessThan(200);
        }
        long n = clock.incrementAndGet();
        CallbackIngress.Outcome genuine = sendSigned(Map.of("Sid", "PKabcdefabcdefabcdefabcdefabcd0001", "CallSid",
                "CAabcdefabcdefabcdefabcdefabcd0001", "DateUpdated", Instant.parse("2026-01-01T00:00:00Z").plusMillis(n).toString(),
                "Capture", "payment-card-number", "PartialResult", "false", "Required", "security-code"));
        assertThat(genuine.status()).isEqualTo(200);
        assertThat(store.find("PKabcdefabcdefabcdefabcdefabcd0001").orElseThrow().capture()).isNotNull();
    }

    @Provide
    Arbitrary<String[]> plantedCards() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(13, 19), Arbitraries.integers().between(0, 2),
                Arbitraries.strings().numeric().ofMinLength(3).ofMaxLength(4))
                .as((seed, length, style, cvv) -> {
                    Random random = new Random(seed);
                    String pan = CardNumbers.luhnValid(random, length);
                    String branded = CardNumbers.plausible(random);
                    return new String[] {pan, CardNumbers.formatted(pan, style), cvv, branded, CardNumbers.formatted(branded, style)};
                });
    }

    @Property
    void plantedCardNumbersNeverReachTheStateOrTheLog(@ForAll("plantedCards") String[] planted) throws Exception {
        String pan = planted[0];
        String typed = planted[1];
        Map<String, String> fields = new LinkedHashMap<>();
        for (String name : FIELDS) {
            // Identifiers a connector chose keep digits that no card brand could have issued; a brand's card number goes.
            fields.put(name, name.equals("SecurityCode") ? planted[2] : IDENTIFIERS.contains(name) ? planted[4] : typed);
        }
        long n = clock.incrementAndGet();
        String paymentSid = String.format("PK%032x", n);
        fields.put("Sid", paymentSid);
        fields.put("CallSid", String.format("CA%032x", n));
        fields.put("DateUpdated", Instant.parse("2026-01-01T00:00:00Z").plusMillis(n).toString());
        fields.put("PaymentError", "card " + typed + " was declined");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        CallbackIngress.Outcome outcome;
        try {
            outcome = sendSigned(fields);
            log.awaitIdle(2, TimeUnit.SECONDS);
        } finally {
            System.setErr(original);
        }
        assertThat(outcome.status()).isEqualTo(200);
        assertThat(captured.toString(StandardCharsets.UTF_8)).as("the log line was captured").contains(paymentSid);
        PaymentStatus status = store.find(paymentSid).orElseThrow();
        String view = Json.write(status.toView());
        String everything = (view + captured.toString(StandardCharsets.UTF_8)).replaceAll("[ -]", "");
        assertThat(everything).doesNotContain(pan).doesNotContain(pan.substring(0, pan.length() - 4))
                .doesNotContain(planted[3].substring(0, planted[3].length() - 4));
        assertThat(status.value(PaymentField.SECURITY_CODE)).matches("x{3,4}");
        String card = status.value(PaymentField.PAYMENT_CARD_NUMBER);
        assertThat(card.replace("x", "")).hasSizeLessThanOrEqualTo(4);
    }
}
