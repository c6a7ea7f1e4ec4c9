package io.agentpay.gateway.mcp.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.tunnel.Reachability;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * startPaymentCapture's input schema is exactly as strict as the tool: a value the schema allows
 * is never refused as an invalid argument, and a value the tool refuses is never allowed by the
 * schema. Callbacks are made certainly unreachable, so accepted arguments stop before Twilio.
 */
class StartArgumentsTest {
    static final String CALL = "CAfedcba9876543210fedcba9876543210";
    static GatewayFixture gateway;
    static Schema input;

    @BeforeAll
    static void start() throws Exception {
        gateway = new GatewayFixture();
        gateway.reachability = new Reachability(Reachability.State.UNREACHABLE, "connection refused", Instant.now(), true, false);
        input = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Json.MAPPER.valueToTree(gateway.tool("startPaymentCapture").tool().inputSchema()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    /** Whether the schema allows the arguments, and whether the tool took them (it then stops at the callbacks check). */
    private static void agree(Map<String, Object> arguments) {
        boolean allowed = input.validate(Json.MAPPER.valueToTree(arguments)).isEmpty();
        CallToolResult result = gateway.call("startPaymentCapture", arguments);
        String error = GatewayFixture.body(result).path("error").asText();
        assertThat(error).as(arguments + " allowed by the schema: " + allowed)
                .isEqualTo(allowed ? "callbacks-unreachable" : "invalid-argument");
    }

    @Test
    void everyIso4217CodeTheSchemaListsIsAcceptedAndNothingElse() {
        for (String currency : StartPaymentCaptureTool.CURRENCIES) {
            agree(Map.of("callSid", CALL, "currency", currency));
        }
        for (String currency : List.of("usd", "US", "USDX", "ZZZ", "U$D", "eur ")) {
            agree(Map.of("callSid", CALL, "currency", currency));
        }
        assertThat(GatewayFixture.body(gateway.call("startPaymentCapture", Map.of("callSid", CALL, "currency", "ZZZ")))
                .path("message").asText()).contains("ISO 4217");
    }

    @Test
    void validCardTypesIsAListOfTwiliosBrandNames() {
        for (String brand : StartPaymentCaptureTool.CARD_TYPES) {
            agree(Map.of("callSid", CALL, "validCardTypes", List.of(brand)));
        }
        agree(Map.of("callSid", CALL, "validCardTypes", new ArrayList<>(StartPaymentCaptureTool.CARD_TYPES)));
        for (Object wrong : List.of("visa mastercard", List.of(), List.of("Visa"), List.of("visa", "diners"), List.of(1))) {
            agree(Map.of("callSid", CALL, "validCardTypes", wrong));
        }
        assertThat(GatewayFixture.body(gateway.call("startPaymentCapture", Map.of("callSid", CALL, "validCardTypes",
                "visa mastercard"))).path("error").asText()).isEqualTo("invalid-argument");
    }

    @Test
    void waitSecondsTakesWholeNumbersFromZeroToFifty() {
        for (Object seconds : List.of(0, 1, 25, 50, 50.0, -1, 51, 2.5, "10", true)) {
            Map<String, Object> arguments = Map.of("callSid", CALL, "paymentSid", "PK0123456789abcdef0123456789abcdef",
                    "waitSeconds", seconds);
            boolean allowed = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(Json.MAPPER.valueToTree(gateway.tool("getPaymentStatus").tool().inputSchema()))
                    .validate(Json.MAPPER.valueToTree(arguments)).isEmpty();
            String error = GatewayFixture.body(gateway.call("getPaymentStatus", arguments)).path("error").asText();
            assertThat(error).as(seconds + " allowed by the schema: " + allowed)
                    .isEqualTo(allowed ? "unknown-payment" : "invalid-argument");
        }
    }

    @Test
    void amountsAndSwitchesTakeExactlyWhatTheSchemaAllows() {
        for (Object amount : List.of("25.00", "0", "999999.99", "7.5", 25, 25.0, " 25.00", "25.", "$25", "25.001", "1,000")) {
            agree(Map.of("callSid", CALL, "chargeAmount", amount));
        }
        for (String name : List.of("postalCode", "securityCode", "confirmation")) {
            for (Object value : List.of(true, false, "true", "false", 1, "yes")) {
                agree(Map.of("callSid", CALL, name, value));
            }
        }
        assertThat(GatewayFixture.body(gateway.call("startPaymentCapture", Map.of("callSid", CALL, "chargeAmount", 25)))
                .path("message").asText()).contains("\"25.00\"");
    }
}
