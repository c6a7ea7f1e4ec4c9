package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.ToolResultCheck;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.tunnel.TcpRelay;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The built jar, launched by the MCP Java SDK's client over stdio, talking through the real
 * Twilio SDK to the Twilio emulator, which posts signed callbacks back to the jar's endpoint.
 */
@Timeout(90)
class StdioServerIT {
    static final String CALL = "CAfedcba9876543210fedcba9876543210";

    private PaySimulator twilio;
    private TcpRelay relay;
    private McpSyncClient client;
    private final List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
    private final List<String> updates = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), Duration.ofMillis(30));
        PaySimulator.Credentials c = twilio.credentials();
        // The public URL is a relay to the port the jar binds (it picks one itself and reports it).
        relay = new TcpRelay();
        int publicPort = relay.start();
        ServerParameters params = ServerParameters.builder(JarProcess.java())
                .args("-jar", JarProcess.jar().toString(), c.accountSid(), c.apiKey(), c.apiSecret())
                .env(Map.of("PUBLIC_URL", "http://localhost:" + publicPort, "CALLBACK_PORT", "0",
                        "TWILIO_API_BASE_URL", twilio.baseUrl().toString(), "TWILIO_AUTH_TOKEN", c.authToken()))
                .build();
        StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(Json.MAPPER));
        transport.setStdErrorHandler(stderr::add);
        client = McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(20))
                .loggingConsumer(logs::add)
                .resourcesUpdateConsumer(contents -> contents.forEach(r -> updates.add(r.uri())))
                .build();
        client.initialize();
        relay.target(JarProcess.callbackPort(stderr));
    }

    @AfterEach
    void stop() {
        client.closeGracefully();
        twilio.close();
        relay.close();
    }

    private JsonNode call(String tool, Map<String, Object> args) {
        McpSchema.CallToolResult result = ToolResultCheck.call(client, new McpSchema.CallToolRequest(tool, args));
        JsonNode body = parse(((McpSchema.TextContent) result.content().get(0)).text());
        assertThat(result.isError()).as(tool + " " + body).isFalse();
        return body;
    }

    private JsonNode read(String uri) {
        McpSchema.ReadResourceResult read = client.readResource(new McpSchema.ReadResourceRequest(uri));
        McpSchema.TextResourceContents contents = (McpSchema.TextResourceContents) read.contents().get(0);
        assertThat(contents.mimeType()).isEqualTo("application/json");
        return parse(contents.text());
    }

    private static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(text, e);
        }
    }

    @Test
    void initializeAdvertisesTheServerAndListsEveryComponent() {
        McpSchema.InitializeResult init = client.getCurrentInitializationResult();
        assertThat(init.serverInfo().name()).isEqualTo("twilio-agent-payments-mcp-gateway");
        assertThat(init.serverInfo().version()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(init.capabilities().tools()).isNotNull();
        assertThat(init.capabilities().resources().subscribe()).isTrue();
        assertThat(init.capabilities().prompts()).isNotNull();
        assertThat(init.capabilities().logging()).isNotNull();
        assertThat(init.instructions()).contains("startPaymentCapture").contains("completePaymentCapture");
        assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).containsExactlyInAnyOrder(
                "startPaymentCapture", "captureCardNumber", "captureSecurityCode", "captureExpirationDate",
                "capturePostalCode", "captureBankRoutingNumber", "captureBankAccountNumber", "completePaymentCapture",
                "cancelPaymentCapture", "getPaymentStatus");
        assertThat(client.listPrompts().prompts()).extracting(McpSchema.Prompt::name).containsExactlyInAnyOrder(
                "StartCapture", "CardNumber", "SecurityCode", "ExpirationDate", "FinishCapture", "Completion", "Error");
        assertThat(client.listResourceTemplates().resourceTemplates()).extracting(McpSchema.ResourceTemplate::uriTemplate)
                .containsExactly("payment://{callSid}/{paymentSid}/status");
    }

    @Test
    void logNotificationsFollowTheClientsLevel() {
        client.setLoggingLevel(McpSchema.LoggingLevel.INFO);
        ToolResultCheck.call(client, new McpSchema.CallToolRequest("captureCardNumber", Map.of("callSid", "CA1", "paymentSid", "PK1")));
        await().atMost(Duration.ofSeconds(5)).until(() -> logs.stream()
                .anyMatch(l -> l.level() == McpSchema.LoggingLevel.WARNING && l.data().contains("'callSid'")));
        client.setLoggingLevel(McpSchema.LoggingLevel.ERROR);
        int before = logs.size();
        client.callTool(new McpSchema.CallToolRequest("captureCardNumber", Map.of("callSid", "CA2", "paymentSid", "PK2")));
        // A marker on the server's one log queue: once stderr shows it, the warning before it has been delivered
        // (to stdout too, had the level let it through), and the round trip after reads stdout past it.
        client.callTool(new McpSchema.CallToolRequest("captureSecurityCode", Map.of("callSid", "CA3", "paymentSid", "PK3")));
        await().atMost(Duration.ofSeconds(10)).until(() -> stderr.stream()
                .anyMatch(line -> line.contains("captureSecurityCode: Argument 'callSid'")));
        client.listTools();
        assertThat(logs.subList(before, logs.size())).noneMatch(l -> l.level() == McpSchema.LoggingLevel.WARNING);
    }

    @Test
    void aWholePaymentRunsAgainstTheTwilioEmulatorWithPushedUpdates() {
        client.setLoggingLevel(McpSchema.LoggingLevel.INFO);
        JsonNode started = call("startPaymentCapture", Map.of("callSid", CALL, "chargeAmount", "12.50"));
        String paymentSid = started.path("paymentSid").asText();
        String uri = started.path("statusResource").asText();
        client.subscribeResource(new McpSchema.SubscribeRequest(uri));
        for (String tool : List.of("captureCardNumber", "captureSecurityCode", "captureExpirationDate")) {
            JsonNode requested = call(tool, Map.of("callSid", CALL, "paymentSid", paymentSid, "waitSeconds", 0));
            assertThat(requested.path("nextAction").asText()).contains(uri);
            await().atMost(Duration.ofSeconds(10)).until(() -> List.of("field-complete", "ready-to-complete")
                    .contains(read(uri).path("state").asText()));
        }
        JsonNode ready = read(uri);
        assertThat(ready.path("required")).isEmpty();
        assertThat(ready.path("nextAction").asText()).contains("completePaymentCapture");
        call("completePaymentCapture", Map.of("callSid", CALL, "paymentSid", paymentSid, "waitSeconds", 0));
        await().atMost(Duration.ofSeconds(10)).until(() -> read(uri).path("state").asText().equals("completed"));
        JsonNode done = read(uri);
        assertThat(done.path("paymentCardNumber").asText()).isEqualTo("xxxxxxxxxxxx1111");
        assertThat(done.path("securityCode").asText()).isEqualTo("xxx");
        assertThat(done.path("paymentConfirmationCode").asText()).startsWith("ch_sandbox_");
        assertThat(done.path("chargeAmount").asText()).isEqualTo("12.50");
        await().atMost(Duration.ofSeconds(5)).until(() -> updates.contains(uri));
        await().atMost(Duration.ofSeconds(5)).until(() -> logs.stream().anyMatch(l -> l.data().contains("result success")));
        assertThat(logs).noneMatch(l -> l.data().contains("4111111111111111"));
        assertThat(String.join("\n", stderr)).doesNotContain("4111111111111111").doesNotContain(twilio.credentials().apiSecret());
    }

    @Test
    void anUnknownPaymentIsAResourceNotFoundError() {
        String uri = "payment://" + CALL + "/PK00000000000000000000000000000000/status";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.readResource(new McpSchema.ReadResourceRequest(uri)))
                .isInstanceOf(McpError.class).hasMessageContaining("is known to this server");
    }

    @Test
    void promptArgumentsCompleteFromKnownPayments() {
        JsonNode started = call("startPaymentCapture", Map.of("callSid", CALL));
        McpSchema.CompleteResult result = client.completeCompletion(new McpSchema.CompleteRequest(
                new McpSchema.PromptReference("CardNumber"), new McpSchema.CompleteRequest.CompleteArgument("paymentSid", "PK")));
        assertThat(result.completion().values()).contains(started.path("paymentSid").asText());
    }
}
