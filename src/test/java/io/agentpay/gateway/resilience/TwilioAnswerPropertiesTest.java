package io.agentpay.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.sandbox.PaySimulator.Fault;
import io.agentpay.gateway.state.PaymentStatus;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Card numbers and security codes planted in Twilio's answers, 10,000 cases: in every string
 * field of the call lookup, the payment start and the capture answers, and in Twilio's error
 * messages. None of it reaches a tool result, the status resource or the log.
 */
class TwilioAnswerPropertiesTest {
    enum Target { CALL_LOOKUP, PAYMENT_START, CAPTURE, ERROR_ON_START, ERROR_ON_CAPTURE }

    record Planted(String pan, String typed, String securityCode, Target target, boolean everyField, int field) {
        String text() {
            return "card " + typed + " security code " + securityCode;
        }
    }

    static GatewayFixture gateway;
    static final AtomicLong calls = new AtomicLong();
    static String openCall;
    static String openPayment;

    @BeforeContainer
    static void start() throws Exception {
        // Callbacks of the simulated caller are pushed far out: only Twilio's answers are under test here.
        gateway = new GatewayFixture(Duration.ofMinutes(30), Duration.ofSeconds(2));
        openCall = nextCall();
        McpSchema.CallToolResult started = gateway.call("startPaymentCapture", Map.of("callSid", openCall));
        openPayment = GatewayFixture.body(started).path("paymentSid").asText();
    }

    @AfterContainer
    static void stop() {
        gateway.close();
    }

    static String nextCall() {
        return String.format("CA%028x%04x", calls.incrementAndGet(), 0xabcd);
    }

    @Provide
    Arbitrary<Planted> planted() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(13, 19), Arbitraries.integers().between(0, 2),
                Arbitraries.strings().numeric().ofMinLength(3).ofMaxLength(4), Arbitraries.of(Target.class),
                Arbitraries.of(true, false), Arbitraries.integers().between(0, 30))
                .as((seed, length, style, cvv, target, every, field) -> {
                    String pan = CardNumbers.luhnValid(new Random(seed), length);
                    return new Planted(pan, CardNumbers.formatted(pan, style), cvv, target, every, field);
                });
    }

    /** Replaces every string value of the answer (or the n-th one) with the planted text. */
    static String plant(String body, Planted p) {
        try {
            JsonNode tree = Json.MAPPER.readTree(body);
            if (!(tree instanceof ObjectNode object)) {
                return body;
            }
            List<String> names = new ArrayList<>();
            object.properties().forEach(e -> {
                if (e.getValue().isTextual()) {
                    names.add(e.getKey());
                }
            });
            for (int i = 0; i < names.size(); i++) {
                if (p.everyField() || i == p.field() % names.size()) {
                    object.set(names.get(i), new TextNode(p.text()));
                }
            }
            return object.toString();
        } catch (java.io.IOException e) {
            return body;
        }
    }

    @Property
    void cardDataPlantedInTwilioAnswersReachesNoResultResourceOrLog(@ForAll("planted") Planted p) throws Exception {
        List<String> seen = new ArrayList<>();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            switch (p.target()) {
                case CALL_LOOKUP, PAYMENT_START -> {
                    String prefix = p.target() == Target.CALL_LOOKUP ? "GET " : "POST ";
                    gateway.twilio.rewriteAnswers((request, body) -> request.startsWith(prefix) ? plant(body, p) : body);
                    startAndClose(seen);
                }
                case CAPTURE -> {
                    gateway.twilio.rewriteAnswers((request, body) -> plant(body, p));
                    seen.add(text(gateway.call("captureCardNumber", Map.of("callSid", openCall, "paymentSid", openPayment, "waitSeconds", 0))));
                }
                case ERROR_ON_START -> {
                    gateway.twilio.inject(Fault.status(400, 64020, p.text()));
                    startAndClose(seen);
                }
                case ERROR_ON_CAPTURE -> {
                    gateway.twilio.inject(Fault.status(400, 64020, p.text()));
                    seen.add(text(gateway.call("captureCardNumber", Map.of("callSid", openCall, "paymentSid", openPayment, "waitSeconds", 0))));
                }
            }
            gateway.twilio.rewriteAnswers(null);
            gateway.store.find(openPayment).ifPresent(status -> seen.add(Json.write(status.toView())));
            gateway.log.awaitIdle(2, TimeUnit.SECONDS);
        } finally {
            gateway.twilio.rewriteAnswers(null);
            System.setErr(original);
        }
        seen.add(captured.toString(StandardCharsets.UTF_8));
        String everything = String.join("\n", seen);
        String digits = everything.replaceAll("[ -]", "");
        assertThat(digits).as("no card number").doesNotContain(p.pan());
        assertThat(digits).as("no more than the last four digits").doesNotContain(p.pan().substring(0, p.pan().length() - 4));
        assertThat(everything).as("no security code").doesNotContain("security code " + p.securityCode());
    }

    /** Starts a payment on a new call and, if it opened, cancels it so that the next case starts clean. */
    private static void startAndClose(List<String> seen) {
        String call = nextCall();
        McpSchema.CallToolResult started = gateway.call("startPaymentCapture", Map.of("callSid", call));
        seen.add(text(started));
        gateway.twilio.rewriteAnswers(null);
        if (!Boolean.TRUE.equals(started.isError())) {
            String paymentSid = GatewayFixture.body(started).path("paymentSid").asText();
            seen.add(text(gateway.call("cancelPaymentCapture", Map.of("callSid", call, "paymentSid", paymentSid))));
        }
        for (PaymentStatus status : gateway.store.all()) {
            if (call.equals(status.callSid())) {
                seen.add(Json.write(status.toView()));
            }
        }
    }

    private static String text(McpSchema.CallToolResult result) {
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }
}
