package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.mcp.Json;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Faults around the server: no tunnel possible, a busy port, two instances, a signal mid-capture. */
@Timeout(120)
class FaultsIT {
    static final String CALL = "CAfedcba9876543210fedcba9876543210";

    static McpSyncClient client(Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(List.of("-jar", JarProcess.jar().toString()));
        all.addAll(List.of(args));
        ServerParameters params = ServerParameters.builder(JarProcess.java()).args(all).env(env).build();
        StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(Json.MAPPER));
        transport.setStdErrorHandler(line -> { });
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build();
        client.initialize();
        return client;
    }

    static JsonNode call(McpSyncClient client, String tool, Map<String, Object> args) {
        McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest(tool, args));
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
            assertThat(client.listTools().tools()).hasSize(9);
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
        int port = JarProcess.freePort();
        McpSyncClient first = client(Map.of(), "--sandbox", "--callback-port", String.valueOf(port));
        McpSyncClient second = client(Map.of(), "--sandbox", "--callback-port", String.valueOf(port));
        try {
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
            Thread.sleep(100);
            process.destroy();
            assertThat(process.waitFor(2, TimeUnit.SECONDS)).as("exited within 2 s of SIGTERM mid-capture").isTrue();
        } finally {
            process.destroyForcibly();
        }
    }
}
