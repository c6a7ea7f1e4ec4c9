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
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Faults around the server: no tunnel possible, a tunnel that drops, a busy port, two instances, a signal mid-capture. */
@Timeout(120)
class FaultsIT {
    static final String CALL = "CAfedcba9876543210fedcba9876543210";

    static McpSyncClient client(Map<String, String> env, String... args) {
        return client(new CopyOnWriteArrayList<>(), env, args);
    }

    static McpSyncClient client(List<String> stderr, Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(List.of("-jar", JarProcess.jar().toString()));
        all.addAll(List.of(args));
        ServerParameters params = ServerParameters.builder(JarProcess.java()).args(all).env(env).build();
        StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(Json.MAPPER));
        transport.setStdErrorHandler(stderr::add);
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build();
        client.initialize();
        return client;
    }

    static JsonNode call(McpSyncClient client, String tool, Map<String, Object> args) {
        McpSchema.CallToolResult result = ToolResultCheck.call(client, new McpSchema.CallToolRequest(tool, args));
        try {
            JsonNode body = Json.MAPPER.readTree(((McpSchema.TextContent) result.content().get(0)).text());
            ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("_isError", Boolean.TRUE.equals(result.isError()));
            return body;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aTunnelThatCannotOpenLeavesInitializeAloneAndToolsSayWhy() {
        McpSyncClient client = client(Map.of("NGROK_AUTH_TOKEN", "2abcdefghijklmnopqrstuvwxyz_0123456789"),
                "ACa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", "SKb2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2", "secret", "--callback-port", "0");
        try {
            assertThat(client.listTools().tools()).hasSize(10);
            JsonNode result = call(client, "startPaymentCapture", Map.of("callSid", CALL));
            assertThat(result.path("_isError").asBoolean()).isTrue();
            assertThat(result.path("error").asText()).isEqualTo("callbacks-unavailable");
            assertThat(result.path("message").asText()).contains("ngrok native library").contains("PUBLIC_URL");
        } finally {
            client.closeGracefully();
        }
    }

    @Test
    void twoInstancesOnTheSamePortBothTakePayments() throws Exception {
        List<String> firstErr = new CopyOnWriteArrayList<>();
        McpSyncClient first = client(firstErr, Map.of(), "--sandbox", "--callback-port", "0");
        int port = JarProcess.callbackPort(firstErr);
        List<String> secondErr = new CopyOnWriteArrayList<>();
        McpSyncClient second = client(secondErr, Map.of(), "--sandbox", "--callback-port", String.valueOf(port));
        try {
            assertThat(JarProcess.callbackPort(secondErr)).isNotEqualTo(port);
            assertThat(secondErr).as("an expected move to the next port is no error").noneMatch(line -> line.contains("ERROR"));
            for (McpSyncClient client : List.of(first, second)) {
                JsonNode started = call(client, "startPaymentCapture", Map.of("callSid", CALL));
                assertThat(started.path("_isError").asBoolean()).as(started.toString()).isFalse();
                String uri = started.path("statusResource").asText();
                call(client, "captureCardNumber", Map.of("callSid", CALL, "paymentSid", started.path("paymentSid").asText()));
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    McpSchema.ReadResourceResult read = client.readResource(new McpSchema.ReadResourceRequest(uri));
                    String text = ((McpSchema.TextResourceContents) read.contents().get(0)).text();
                    return text.contains("\"state\":\"field-complete\"");
                });
            }
        } finally {
            first.closeGracefully();
            second.closeGracefully();
        }
    }

    @Test
    void sigtermInTheMiddleOfACaptureEndsTheProcessWithinTwoSeconds() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(JarProcess.command("--sandbox", "--callback-port", "0"));
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        try {
            var in = process.getOutputStream();
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream()));
            in.write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\n"
                    + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                    + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"startPaymentCapture\","
                    + "\"arguments\":{\"callSid\":\"" + CALL + "\"}}}\n").getBytes());
            in.flush();
            String line;
            String paymentSid = null;
            while (paymentSid == null && (line = out.readLine()) != null) {
                int at = line.indexOf("PK");
                if (line.contains("\"id\":2") && at > 0) {
                    paymentSid = line.substring(at, at + 34);
                }
            }
            in.write(("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"captureCardNumber\","
                    + "\"arguments\":{\"callSid\":\"" + CALL + "\",\"paymentSid\":\"" + paymentSid + "\"}}}\n").getBytes());
            in.flush();
            while ((line = out.readLine()) != null && !line.contains("\"id\":3")) {
                // the caller starts keying once the capture is accepted
            }
            process.destroy();
            assertThat(process.waitFor(2, TimeUnit.SECONDS)).as("exited within 2 s of SIGTERM mid-capture").isTrue();
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void aTunnelThatDropsIsReportedNewPaymentsWaitAndTheOpenOneCompletesOnceItIsBack() throws Exception {
        try (PaySimulator twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), Duration.ofMillis(30));
             TcpRelay tunnel = new TcpRelay()) {
            int publicPort = tunnel.start();
            List<String> stderr = new CopyOnWriteArrayList<>();
            PaySimulator.Credentials c = twilio.credentials();
            List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
            ServerParameters params = ServerParameters.builder(JarProcess.java())
                    .args("-jar", JarProcess.jar().toString(), c.accountSid(), c.apiKey(), c.apiSecret())
                    .env(Map.of("PUBLIC_URL", "http://127.0.0.1:" + publicPort, "CALLBACK_PORT", "0",
                            "TWILIO_API_BASE_URL", twilio.baseUrl().toString(), "TWILIO_AUTH_TOKEN", c.authToken(),
                            "TUNNEL_CHECK_INTERVAL", "1s"))
                    .build();
            StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(Json.MAPPER));
            transport.setStdErrorHandler(stderr::add);
            McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).loggingConsumer(logs::add).build();
            client.initialize();
            int callbackPort = JarProcess.callbackPort(stderr);
            tunnel.target(callbackPort);
            try {
                client.setLoggingLevel(McpSchema.LoggingLevel.INFO);
                JsonNode started = call(client, "startPaymentCapture", Map.of("callSid", CALL, "chargeAmount", "9.99"));
                assertThat(started.path("_isError").asBoolean()).as(started.toString()).isFalse();
                String paymentSid = started.path("paymentSid").asText();
                String uri = started.path("statusResource").asText();
                Map<String, Object> session = Map.of("callSid", CALL, "paymentSid", paymentSid);
                call(client, "captureCardNumber", session);
                await().atMost(Duration.ofSeconds(10)).until(() -> state(client, uri).path("state").asText().equals("field-complete"));

                tunnel.stop();
                await().atMost(Duration.ofSeconds(15)).until(() -> logs.stream().anyMatch(l -> l.level() == McpSchema.LoggingLevel.WARNING
                        && l.data().contains("cannot reach this server any more") && l.data().contains("PUBLIC_URL")));
                JsonNode refused = call(client, "startPaymentCapture", Map.of("callSid", "CA0123456789abcdef0123456789abcdef"));
                assertThat(refused.path("_isError").asBoolean()).isTrue();
                assertThat(refused.path("error").asText()).isEqualTo("callbacks-unreachable");
                assertThat(refused.path("message").asText()).contains("http://127.0.0.1:" + publicPort)
                        .contains("callback port " + callbackPort);
                assertThat(state(client, uri).path("warning").asText()).contains("cannot reach this server right now");

                tunnel.start();
                await().atMost(Duration.ofSeconds(15)).until(() -> logs.stream().anyMatch(l -> l.level() == McpSchema.LoggingLevel.INFO
                        && l.data().contains("reach this server again")));
                for (String tool : List.of("captureSecurityCode", "captureExpirationDate")) {
                    JsonNode asked = call(client, tool, session);
                    assertThat(asked.path("_isError").asBoolean()).as(asked.toString()).isFalse();
                    assertThat(asked.has("warning")).isFalse();
                    await().atMost(Duration.ofSeconds(10)).until(() -> List.of("field-complete", "ready-to-complete")
                            .contains(state(client, uri).path("state").asText()));
                }
                call(client, "completePaymentCapture", session);
                await().atMost(Duration.ofSeconds(10)).until(() -> state(client, uri).path("state").asText().equals("completed"));
                assertThat(state(client, uri).path("paymentCardNumber").asText()).as("captured before the drop, kept")
                        .isEqualTo("xxxxxxxxxxxx1111");
            } finally {
                client.closeGracefully();
            }
        }
    }

    static JsonNode state(McpSyncClient client, String uri) throws java.io.IOException {
        McpSchema.ReadResourceResult read = client.readResource(new McpSchema.ReadResourceRequest(uri));
        return Json.MAPPER.readTree(((McpSchema.TextResourceContents) read.contents().get(0)).text());
    }
}
