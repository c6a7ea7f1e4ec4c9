package io.agentpay.gateway.mcp.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.sandbox.Scenario;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The new startPaymentCapture and capture arguments: what the tools refuse, with which message, before Twilio. */
class PayArgumentsTest {
    private GatewayFixture gateway;
    private final String call = Scenario.DEFAULT.callSid("0123456789abcdef0123456789ab");

    @BeforeEach
    void start() throws Exception {
        gateway = new GatewayFixture();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private JsonNode refused(String tool, Map<String, Object> args) {
        CallToolResult result = gateway.call(tool, args);
        assertThat(result.isError()).as(GatewayFixture.body(result).toString()).isTrue();
        return GatewayFixture.body(result);
    }

    @Test
    void malformedNewStartArgumentsAreRefusedNamingTheArgument() {
        assertThat(refused("startPaymentCapture", Map.of("callSid", call, "connectorParameters", "AVSName=Jane"))
                .path("message").asText()).contains("'connectorParameters'").contains("object");
        assertThat(refused("startPaymentCapture", Map.of("callSid", call, "connectorParameters", Map.of("AVSName", 7)))
                .path("message").asText()).contains("values are strings");
        assertThat(refused("startPaymentCapture", Map.of("callSid", call, "requireMatchingInputs", List.of("bank-account-number")))
                .path("message").asText()).contains("'requireMatchingInputs'").contains("payment-card-number");
        assertThat(refused("startPaymentCapture", Map.of("callSid", call, "timeout", 0)).path("message").asText())
                .contains("'timeout'").contains("1 to 600");
        assertThat(refused("startPaymentCapture", Map.of("callSid", call, "bankAccountType", "savings")).path("message").asText())
                .contains("'bankAccountType'");
        assertThat(refused("startPaymentCapture", Map.of("callSid", call, "bankAccountType", "consumer-savings")).path("nextStep")
                .asText()).contains("ach-debit");
        assertThat(refused("startPaymentCapture", Map.of("callSid", call, "requireMatchingInputs", List.of("postal-code")))
                .path("nextStep").asText()).contains("postalCode");
        assertThat(gateway.twilio.requestCount()).isZero();
    }

    @Test
    void aCardNumberAsAConnectorParameterNameIsNeitherSentNorRepeated() {
        JsonNode body = refused("startPaymentCapture", Map.of("callSid", call, "paymentMethod", "ach-debit",
                "connectorParameters", Map.of("AVSName", "Jane", "4111111111111111", "x")));
        assertThat(body.toString()).doesNotContain("4111111111111111");
        assertThat(gateway.twilio.requestCount()).isZero();
    }

    @Test
    void onlyCardFieldsTakeASecondEntry() {
        String paymentSid = GatewayFixture.body(gateway.call("startPaymentCapture", Map.of("callSid", call,
                "requireMatchingInputs", List.of("expiration-date")))).path("paymentSid").asText();
        assertThat(refused("captureBankRoutingNumber", Map.of("callSid", call, "paymentSid", paymentSid, "secondEntry", true))
                .path("message").asText()).contains("Unknown argument 'secondEntry'");
        JsonNode second = GatewayFixture.body(gateway.call("captureExpirationDate",
                Map.of("callSid", call, "paymentSid", paymentSid, "secondEntry", true, "waitSeconds", 0)));
        assertThat(second.path("requested").asText()).isEqualTo("expiration-date-matcher");
        assertThat(second.path("nextAction").asText()).contains("once more, to confirm it");
    }

    @Test
    void aSecondEntryForAFieldNotKeyedTwiceIsExplained() {
        String paymentSid = GatewayFixture.body(gateway.call("startPaymentCapture", Map.of("callSid", call)))
                .path("paymentSid").asText();
        JsonNode body = refused("captureCardNumber", Map.of("callSid", call, "paymentSid", paymentSid, "secondEntry", true));
        assertThat(body.path("twilioCode").asInt()).isEqualTo(64020);
        assertThat(body.path("message").asText()).contains("RequireMatchingInputs");
        assertThat(body.path("nextStep").asText()).contains("secondEntry only for a field in requireMatchingInputs");
    }

    @Test
    void theStartResultSaysWhichLegThePaymentRunsOnAndWhy() {
        String agentLeg = Scenario.SIP_CHILD_LEG.callSid("0123456789abcdef0123456789ab");
        JsonNode started = GatewayFixture.body(gateway.call("startPaymentCapture", Map.of("callSid", agentLeg)));
        assertThat(started.path("callSid").asText()).endsWith("a007");
        assertThat(started.path("leg").path("givenCallSid").asText()).isEqualTo(agentLeg);
        assertThat(started.path("leg").path("why").asText()).contains("never hears the caller's keypad");
    }
}
