package io.agentpay.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.state.CardData;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Card numbers and named security codes typed into tool arguments (as an argument's name, or
 * inside any free-text value): refused with a result that says card data does not belong there,
 * nothing sent to Twilio, and no digit of it in the result or on stderr (where the log goes).
 */
class CardDataInArgumentsPropertiesTest {
    static final String CALL = "CAfedcba9876543210fedcba9876543210";
    static final String PAYMENT = "PK00000000000000000000000000000000";
    static GatewayFixture gateway;
    static final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    static PrintStream original;

    @BeforeContainer
    static void start() throws Exception {
        gateway = new GatewayFixture();
        original = System.err;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    }

    @AfterContainer
    static void stop() throws Exception {
        try {
            gateway.log.awaitIdle(5, TimeUnit.SECONDS);
        } finally {
            System.setErr(original);
            gateway.close();
        }
        String log = stderr.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("Card data does not belong");
        // The server's own lines only: jqwik prints its random seeds, which can pass the Luhn check.
        assertThat(log.lines().filter(line -> line.contains("agentpay.") && CardData.holdsCardData(line)).toList())
                .as("log lines holding card data").isEmpty();
    }

    /** A card number (13 to 19 digits, plain, spaced or dashed) or a security code named as such. */
    @Provide
    Arbitrary<String> cardData() {
        Arbitrary<String> numbers = Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(13, 19),
                Arbitraries.integers().between(0, 2)).as((seed, length, style) ->
                CardNumbers.formatted(CardNumbers.luhnValid(new Random(seed), length), style));
        Arbitrary<String> codes = Combinators.combine(Arbitraries.of("CVV", "cvv2", "CVC", "security code", "Security Code:",
                "card verification value", "CSC", "cid"), Arbitraries.of(" ", ": ", " is ", "="),
                Arbitraries.strings().numeric().ofMinLength(3).ofMaxLength(4)).as((name, sep, digits) -> name + sep + digits);
        return Arbitraries.oneOf(numbers, codes);
    }

    @Property
    void cardDataInArgumentsIsRefusedAndNeverEchoed(@ForAll("cardData") String card,
                                                    @ForAll("words") String before, @ForAll("words") String after,
                                                    @ForAll("slots") String slot) {
        String planted = before + card + after;
        Map<String, Object> args = new HashMap<>(Map.of("callSid", CALL));
        String tool = "startPaymentCapture";
        switch (slot) {
            case "name" -> args.put(planted, "1");
            case "name of a capture tool" -> {
                tool = "captureSecurityCode";
                args.put("paymentSid", PAYMENT);
                args.put(planted, true);
            }
            default -> args.put(slot, planted);
        }
        long sent = gateway.twilio.requestCount();
        McpSchema.CallToolResult result = gateway.call(tool, args);
        JsonNode body = GatewayFixture.body(result);
        assertThat(result.isError()).isTrue();
        assertThat(body.path("error").asText()).isEqualTo("invalid-argument");
        assertThat(body.path("message").asText()).contains("Card data does not belong in tool arguments");
        String text = body.toString();
        assertThat(CardData.holdsCardData(text)).as(text).isFalse();
        assertThat(text).doesNotContain(card);
        assertThat(gateway.twilio.requestCount()).isEqualTo(sent);
    }

    @Provide
    Arbitrary<String> slots() {
        return Arbitraries.of("name", "name of a capture tool", "description", "validCardTypes", "paymentMethod");
    }

    /** Text around the planted data that cannot join its digits: empty, or letters ending in a space. */
    @Provide
    Arbitrary<String> words() {
        return Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12).map(w -> " " + w + " "));
    }
}
