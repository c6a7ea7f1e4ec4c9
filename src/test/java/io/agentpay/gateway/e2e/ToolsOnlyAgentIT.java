package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.ToolResultCheck;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.sandbox.Scenario;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The built jar in sandbox mode driven by the MCP Java SDK's client as a plain function-calling
 * agent would drive it: tools only (no resources/read, no subscription), each next call taken from
 * the previous result's nextAction, through every sandbox scenario.
 */
@Timeout(180)
class ToolsOnlyAgentIT {
    /** The first tool a nextAction tells the agent to call, with its arguments. */
    private static final Pattern NEXT_CALL = Pattern.compile("call (\\w+) \\(callSid=(CA\\w+)(?:, paymentSid=(PK\\w+))?"
            + "(?:, waitSeconds=(\\d+))?\\)", Pattern.CASE_INSENSITIVE);

    static McpSyncClient client;
    static final List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();

    record Step(String tool, McpSchema.CallToolResult result, JsonNode body) {}

    @BeforeAll
    static void start() {
        ServerParameters params = ServerParameters.builder(JarProcess.java())
                .args("-jar", JarProcess.jar().toString(), "--sandbox", "--callback-port", "0")
                .build();
        client = McpClient.sync(new StdioClientTransport(params, new JacksonMcpJsonMapper(Json.MAPPER)))
                .requestTimeout(Duration.ofSeconds(59))
                .progressConsumer(progress::add)
                .build();
        client.initialize();
    }

    @AfterAll
    static void stop() {
        client.closeGracefully();
    }

    private static Step call(String tool, Map<String, Object> arguments) {
        McpSchema.CallToolRequest request = McpSchema.CallToolRequest.builder().name(tool).arguments(arguments)
                .progressToken(tool + "-" + UUID.randomUUID()).build();
        McpSchema.CallToolResult result = ToolResultCheck.call(client, request);
        return new Step(tool, result, GatewayFixture.body(result));
    }

    /** Takes a payment on a call of {@code scenario} the way a model with tools alone would: it does what nextAction says. */
    private static List<Step> pay(Scenario scenario) {
        String callSid = scenario.callSid(UUID.randomUUID().toString().replace("-", ""));
        List<Step> steps = new ArrayList<>();
        Step step = call("startPaymentCapture", Map.of("callSid", callSid, "chargeAmount", "9.99"));
        steps.add(step);
        while (!step.result().isError() && List.of("started", "capturing", "field-complete", "ready-to-complete")
                .contains(step.body().path("state").asText())) {
            assertThat(steps).as("calls so far").hasSizeLessThan(20);
            Matcher next = NEXT_CALL.matcher(step.body().path("nextAction").asText());
            assertThat(next.find()).as("nextAction names the next call: " + step.body()).isTrue();
            Map<String, Object> arguments = new HashMap<>();
            arguments.put("callSid", next.group(2));
            if (next.group(3) != null) {
                arguments.put("paymentSid", next.group(3));
            }
            if (next.group(4) != null) {
                arguments.put("waitSeconds", Integer.parseInt(next.group(4)));
            }
            step = call(next.group(1), arguments);
            steps.add(step);
        }
        return steps;
    }

    private static Step last(List<Step> steps) {
        return steps.get(steps.size() - 1);
    }

    @Test
    void theDefaultCallerPaysInAtMostTenToolCalls() {
        List<Step> steps = pay(Scenario.DEFAULT);
        assertThat(steps).extracting(Step::tool).containsExactly("startPaymentCapture", "captureCardNumber",
                "captureSecurityCode", "captureExpirationDate", "completePaymentCapture");
        assertThat(steps).hasSizeLessThanOrEqualTo(10);
        JsonNode done = last(steps).body();
        assertThat(done.path("state").asText()).isEqualTo("completed");
        assertThat(done.path("outcome").asText()).isEqualTo("completed");
        assertThat(done.path("paymentConfirmationCode").asText()).startsWith("ch_sandbox_");
        assertThat(done.path("paymentCardNumber").asText()).isEqualTo("xxxxxxxxxxxx1111");
        assertThat(steps.get(1).body().path("outcome").asText()).isEqualTo("captured");
        // Notifications may reach the consumer just after the result: wait for them, as a client would.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(progress)
                .filteredOn(p -> String.valueOf(p.progressToken()).startsWith("captureCardNumber-"))
                .extracting(McpSchema.ProgressNotification::message)
                .contains("Twilio is listening for the card number.", "The card number is captured."));
    }

    @Test
    void aMistypedCardNumberIsRefusedThenThePaymentCompletes() {
        List<Step> steps = pay(Scenario.INVALID_CARD);
        assertThat(steps).anySatisfy(step -> {
            assertThat(step.tool()).isEqualTo("captureCardNumber");
            assertThat(step.body().path("errorType").asText()).isEqualTo("invalid-card-number");
            assertThat(step.body().path("outcome").asText()).isEqualTo("refused");
        });
        assertThat(last(steps).body().path("state").asText()).isEqualTo("completed");
        assertThat(steps).hasSizeLessThanOrEqualTo(10);
    }

    @Test
    void aHangUpEndsFailedWithTheReasonInAToolResult() {
        Step end = last(pay(Scenario.HANG_UP));
        assertThat(end.tool()).isEqualTo("captureCardNumber");
        assertThat(end.body().path("state").asText()).isEqualTo("failed");
        assertThat(end.body().path("outcome").asText()).isEqualTo("failed");
        assertThat(end.body().path("result").asText()).isEqualTo("caller-hung-up");
        assertThat(end.body().path("failureReason").asText()).contains("hung up");
    }

    @Test
    void aDeclinedCardEndsFailedWithTheReasonInAToolResult() {
        Step end = last(pay(Scenario.DECLINED));
        assertThat(end.tool()).isEqualTo("completePaymentCapture");
        assertThat(end.body().path("state").asText()).isEqualTo("failed");
        assertThat(end.body().path("failureReason").asText()).contains("declined").contains("card is declined");
        assertThat(end.body().path("nextAction").asText()).contains("another card");
    }

    @Test
    void theOtherScenariosComplete() {
        for (Scenario scenario : List.of(Scenario.EXPIRED_CARD, Scenario.TIMEOUT, Scenario.AMEX)) {
            List<Step> steps = pay(scenario);
            assertThat(last(steps).body().path("state").asText()).as(scenario.label()).isEqualTo("completed");
            assertThat(steps).as(scenario.label()).hasSizeLessThanOrEqualTo(10);
        }
    }

    @Test
    void aCallThatHasEndedIsAClearErrorAtStart() {
        Step end = last(pay(Scenario.CALL_ENDED));
        assertThat(end.result().isError()).isTrue();
        assertThat(end.body().path("error").asText()).isEqualTo("call-not-in-progress");
    }

    @Test
    void cancellingAnEndedPaymentReturnsItsFinalState() {
        Step end = last(pay(Scenario.DECLINED));
        Step cancelled = call("cancelPaymentCapture", Map.of("callSid", end.body().path("callSid").asText(),
                "paymentSid", end.body().path("paymentSid").asText()));
        assertThat(cancelled.result().isError()).isFalse();
        assertThat(cancelled.body().path("state").asText()).isEqualTo("failed");
        assertThat(cancelled.body().path("failureReason").asText()).isEqualTo(end.body().path("failureReason").asText());
    }

    @Test
    void toolsDeclareOutputSchemasAndHonestAnnotations() {
        Map<String, McpSchema.Tool> tools = new HashMap<>();
        client.listTools().tools().forEach(t -> tools.put(t.name(), t));
        assertThat(tools.values()).allSatisfy(t -> assertThat(t.outputSchema()).as(t.name()).isNotNull());
        assertThat(tools.get("getPaymentStatus").annotations().readOnlyHint()).isTrue();
        assertThat(tools.get("completePaymentCapture").annotations().destructiveHint()).isTrue();
        assertThat(tools.get("cancelPaymentCapture").annotations().destructiveHint()).isTrue();
        assertThat(tools.get("cancelPaymentCapture").annotations().idempotentHint()).isTrue();
        for (String name : List.of("startPaymentCapture", "captureCardNumber", "captureSecurityCode")) {
            assertThat(tools.get(name).annotations().destructiveHint()).as(name).isFalse();
            assertThat(tools.get(name).annotations().openWorldHint()).as(name).isTrue();
        }
    }
}
