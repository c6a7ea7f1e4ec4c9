package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.ToolResultCheck;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.tunnel.TcpRelay;
import io.agentpay.gateway.sandbox.Scenario;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The built jar, driven over stdio by the MCP Java SDK's client, through what Twilio Pay offers
 * beyond a plain card capture: ACH, the caller keying a field twice, the PSTN leg found from an
 * agent's leg in both bridged topologies, and callbacks dated in either format arriving out of order.
 */
@Timeout(120)
class WholePayApiIT {
    private PaySimulator twilio;
    private McpSyncClient client;
    private TcpRelay relay;

    @BeforeEach
    void start() throws Exception {
        twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), Duration.ofMillis(30));
        PaySimulator.Credentials c = twilio.credentials();
        // The public URL is a relay the test owns; the jar binds any free port and says which on stderr.
        relay = new TcpRelay();
        int publicPort = relay.start();
        List<String> stderr = new CopyOnWriteArrayList<>();
        ServerParameters params = ServerParameters.builder(JarProcess.java())
                .args("-jar", JarProcess.jar().toString(), c.accountSid(), c.apiKey(), c.apiSecret())
                .env(Map.of("PUBLIC_URL", "http://localhost:" + publicPort, "CALLBACK_PORT", "0",
                        "TWILIO_API_BASE_URL", twilio.baseUrl().toString(), "TWILIO_AUTH_TOKEN", c.authToken()))
                .build();
        StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(Json.MAPPER));
        transport.setStdErrorHandler(stderr::add);
        client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build();
        client.initialize();
        relay.target(JarProcess.callbackPort(stderr));
    }

    @AfterEach
    void stop() {
        client.closeGracefully();
        twilio.close();
        relay.close();
    }

    private static String callSid(Scenario scenario) {
        return scenario.callSid("decafbaddecafbaddecafbaddeca");
    }

    /** Calls a tool and checks its result against the tool's outputSchema. */
    private McpSchema.CallToolResult result(String tool, Map<String, Object> args) {
        return ToolResultCheck.call(client, new McpSchema.CallToolRequest(tool, args));
    }

    private JsonNode call(String tool, Map<String, Object> args) {
        McpSchema.CallToolResult result = result(tool, args);
        JsonNode body = body(result);
        assertThat(result.isError()).as(tool + " " + body).isFalse();
        return body;
    }

    private static JsonNode body(McpSchema.CallToolResult result) {
        return parse(((McpSchema.TextContent) result.content().get(0)).text());
    }

    private JsonNode read(String uri) {
        McpSchema.ReadResourceResult read = client.readResource(new McpSchema.ReadResourceRequest(uri));
        return parse(((McpSchema.TextResourceContents) read.contents().get(0)).text());
    }

    private static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(text, e);
        }
    }

    private static Map<String, Object> session(String callSid, String paymentSid, Object... more) {
        Map<String, Object> args = new HashMap<>(Map.of("callSid", callSid, "paymentSid", paymentSid));
        for (int i = 0; i < more.length; i += 2) {
            args.put((String) more[i], more[i + 1]);
        }
        return args;
    }

    /** Calls a capture tool, then waits until the field settled and every callback sent so far has arrived. */
    private JsonNode capture(String tool, Map<String, Object> args, String uri) {
        call(tool, args);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            if (twilio.callbacksInFlight() != 0) {
                return false;
            }
            JsonNode status = read(uri);
            return status.hasNonNull("errorType") || !status.path("state").asText().equals("capturing");
        });
        return read(uri);
    }

    private JsonNode complete(String callSid, String paymentSid, String uri) {
        call("completePaymentCapture", session(callSid, paymentSid));
        await().atMost(Duration.ofSeconds(10)).until(() -> List.of("completed", "failed").contains(read(uri).path("state").asText()));
        return read(uri);
    }

    private Map<String, String> lastCreate() {
        return twilio.requests().stream().filter(r -> r.method().equals("POST") && r.path().endsWith("/Payments.json"))
                .reduce((a, b) -> b).orElseThrow().params();
    }

    @Test
    void anAchPaymentIsRefusedWithoutTheHoldersNameAndCompletesWithIt() throws Exception {
        String call = callSid(Scenario.ACH);
        McpSchema.CallToolResult refused = result("startPaymentCapture", Map.of("callSid", call, "paymentMethod", "ach-debit"));
        assertThat(refused.isError()).isTrue();
        assertThat(body(refused).path("error").asText()).isEqualTo("account-holder-name-missing");
        assertThat(body(refused).path("nextStep").asText()).contains("account holder's name").contains("AVSName");
        assertThat(twilio.requestCount()).isZero();

        JsonNode started = call("startPaymentCapture", Map.of("callSid", call, "paymentMethod", "ach-debit", "chargeAmount", "40.00",
                "bankAccountType", "commercial-checking", "connectorParameters", Map.of("AVSName", "Jane Doe")));
        Map<String, String> create = lastCreate();
        assertThat(Json.MAPPER.readTree(create.get("Parameter")).path("AVSName").asText()).isEqualTo("Jane Doe");
        assertThat(create).containsEntry("PaymentMethod", "ach-debit").containsEntry("BankAccountType", "commercial-checking")
                .containsEntry("Currency", "USD").doesNotContainKeys("ValidCardTypes", "SecurityCode", "PostalCode");
        String paymentSid = started.path("paymentSid").asText();
        String uri = started.path("statusResource").asText();
        assertThat(started.path("nextAction").asText()).contains("captureBankRoutingNumber");
        capture("captureBankRoutingNumber", session(call, paymentSid), uri);
        JsonNode ready = capture("captureBankAccountNumber", session(call, paymentSid), uri);
        assertThat(ready.path("state").asText()).isEqualTo("ready-to-complete");
        JsonNode done = complete(call, paymentSid, uri);
        assertThat(done.path("state").asText()).isEqualTo("completed");
        assertThat(done.path("bankAccountNumber").asText()).endsWith("89").doesNotContain("1234567");
    }

    @Test
    void aMistypedSecondEntryIsKeyedAgainThenMatches() {
        String call = callSid(Scenario.MATCHER_MISMATCH);
        JsonNode started = call("startPaymentCapture", Map.of("callSid", call, "chargeAmount", "9.99",
                "requireMatchingInputs", List.of("payment-card-number"), "confirmation", true, "timeout", 10));
        assertThat(lastCreate()).containsEntry("RequireMatchingInputs", "payment-card-number")
                .containsEntry("Confirmation", "true").containsEntry("Timeout", "10");
        String paymentSid = started.path("paymentSid").asText();
        String uri = started.path("statusResource").asText();
        assertThat(started.path("required").toString()).contains("payment-card-number-matcher");

        JsonNode first = capture("captureCardNumber", session(call, paymentSid), uri);
        assertThat(first.path("nextAction").asText()).contains("secondEntry: true");
        JsonNode mismatch = capture("captureCardNumber", session(call, paymentSid, "secondEntry", true), uri);
        assertThat(mismatch.path("errorType").asText()).isEqualTo("input-matching-failed");
        assertThat(mismatch.path("nextAction").asText()).contains("did not match").contains("secondEntry: true");

        capture("captureCardNumber", session(call, paymentSid), uri);
        JsonNode matched = capture("captureCardNumber", session(call, paymentSid, "secondEntry", true), uri);
        assertThat(matched.path("errorType").isNull()).isTrue();
        assertThat(matched.path("required").toString()).doesNotContain("payment-card-number");
        capture("captureSecurityCode", session(call, paymentSid), uri);
        capture("captureExpirationDate", session(call, paymentSid), uri);
        assertThat(complete(call, paymentSid, uri).path("state").asText()).isEqualTo("completed");
        assertThat(twilio.requests()).filteredOn(r -> "payment-card-number-matcher".equals(r.params().get("Capture"))).hasSize(2);
    }

    @ParameterizedTest
    @EnumSource(value = Scenario.class, names = {"SIP_CHILD_LEG", "SIP_PARENT_LEG"})
    void theAgentsSipLegLeadsToTheCallersPstnLeg(Scenario topology) {
        String agentLeg = callSid(topology);
        String callerLeg = agentLeg.substring(0, 30) + (topology == Scenario.SIP_CHILD_LEG ? "a007" : "a008");
        JsonNode started = call("startPaymentCapture", Map.of("callSid", agentLeg, "chargeAmount", "12.00"));
        assertThat(started.path("callSid").asText()).isEqualTo(callerLeg);
        assertThat(started.path("leg").path("paymentLeg").asText()).isEqualTo(callerLeg);
        assertThat(started.path("leg").path("givenCallSid").asText()).isEqualTo(agentLeg);
        assertThat(started.path("leg").path("why").asText()).contains("SIP address")
                .contains(topology == Scenario.SIP_CHILD_LEG ? "parent call" : "child call");
        String paymentSid = started.path("paymentSid").asText();
        String uri = started.path("statusResource").asText();
        assertThat(uri).contains(callerLeg);
        // The agent keeps using its own leg's SID; the caller's works as well.
        assertThat(capture("captureCardNumber", session(agentLeg, paymentSid), uri).path("state").asText()).isEqualTo("field-complete");
        capture("captureSecurityCode", session(callerLeg, paymentSid), uri);
        capture("captureExpirationDate", session(agentLeg, paymentSid), uri);
        JsonNode done = complete(agentLeg, paymentSid, uri);
        assertThat(done.path("state").asText()).isEqualTo("completed");
        assertThat(done.path("callSid").asText()).isEqualTo(callerLeg);
        assertThat(twilio.requests()).filteredOn(r -> r.method().equals("POST"))
                .allMatch(r -> r.path().contains("/Calls/" + callerLeg + "/Payments"));
    }

    @Test
    void aCallWithoutAPhoneLegIsRefusedWithItsTopology() {
        McpSchema.CallToolResult refused = result("startPaymentCapture", Map.of("callSid", callSid(Scenario.NO_PSTN_LEG)));
        assertThat(refused.isError()).isTrue();
        assertThat(body(refused).path("error").asText()).isEqualTo("no-pstn-leg");
        assertThat(body(refused).path("message").asText()).contains("SIP address").contains("DTMF");
        assertThat(twilio.requests()).noneMatch(r -> r.method().equals("POST"));
    }

    @ParameterizedTest
    @EnumSource(value = Scenario.class, names = {"RFC2822_DATES", "OUT_OF_ORDER"})
    void callbacksDatedInEitherFormatAndArrivingOutOfOrderKeepEachFieldCaptured(Scenario dates) {
        String call = callSid(dates);
        JsonNode started = call("startPaymentCapture", Map.of("callSid", call, "chargeAmount", "3.00"));
        String paymentSid = started.path("paymentSid").asText();
        String uri = started.path("statusResource").asText();
        for (String tool : List.of("captureCardNumber", "captureSecurityCode")) {
            JsonNode captured = capture(tool, session(call, paymentSid), uri);
            assertThat(captured.path("state").asText()).as(tool).isEqualTo("field-complete");
            assertThat(captured.path("partialResult").asBoolean()).as(tool).isFalse();
        }
        assertThat(capture("captureExpirationDate", session(call, paymentSid), uri).path("state").asText())
                .isEqualTo("ready-to-complete");
        assertThat(complete(call, paymentSid, uri).path("paymentConfirmationCode").asText()).startsWith("ch_sandbox_");
    }
}
