package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.ToolResultCheck;
import io.agentpay.gateway.mcp.Json;
import io.agentpay.gateway.resilience.CallbackSequences;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real MCP client subscribed to many payments while their callbacks arrive concurrently, in
 * random order, with redeliveries and late partial results: it is told of every change (one
 * resource update per change the server logs) and the last content it reads is the final state.
 */
@Timeout(120)
class SubscriptionsIT {
    static final int PAYMENTS = 40;

    @Test
    void aSubscribedClientHearsEveryChangeAndNeverEndsOnAStaleOne() throws Exception {
        try (PaySimulator twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), Duration.ofMinutes(10))) {
            PaySimulator.Credentials c = twilio.credentials();
            int port = JarProcess.freePort();
            Map<String, String> lastRead = new ConcurrentHashMap<>();
            Map<String, AtomicInteger> updates = new ConcurrentHashMap<>();
            List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
            ServerParameters params = ServerParameters.builder(JarProcess.java())
                    .args("-jar", JarProcess.jar().toString(), c.accountSid(), c.apiKey(), c.apiSecret())
                    .env(Map.of("PUBLIC_URL", "http://127.0.0.1:" + port, "CALLBACK_PORT", String.valueOf(port),
                            "TWILIO_API_BASE_URL", twilio.baseUrl().toString()))
                    .build();
            StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(Json.MAPPER));
            transport.setStdErrorHandler(line -> { });
            McpSyncClient client = McpClient.sync(transport)
                    .requestTimeout(Duration.ofSeconds(30))
                    .loggingConsumer(logs::add)
                    .resourcesUpdateConsumer(contents -> contents.forEach(r -> {
                        lastRead.put(r.uri(), ((McpSchema.TextResourceContents) r).text());
                        updates.computeIfAbsent(r.uri(), k -> new AtomicInteger()).incrementAndGet();
                    }))
                    .build();
            client.initialize();
            try {
                client.setLoggingLevel(McpSchema.LoggingLevel.INFO);
                List<String[]> sessions = new ArrayList<>();
                for (int i = 0; i < PAYMENTS; i++) {
                    String call = String.format("CA%028x%04x", 0xabcdef, 0x1000 + i);
                    McpSchema.CallToolResult started = ToolResultCheck.call(client, new McpSchema.CallToolRequest("startPaymentCapture",
                            Map.of("callSid", call, "chargeAmount", "1.00")));
                    JsonNode body = Json.MAPPER.readTree(((McpSchema.TextContent) started.content().get(0)).text());
                    assertThat(started.isError()).as(body.toString()).isFalse();
                    String uri = body.path("statusResource").asText();
                    client.subscribeResource(new McpSchema.SubscribeRequest(uri));
                    sessions.add(new String[] {call, body.path("paymentSid").asText(), uri});
                }
                URI callbackUrl = URI.create(twilio.requests().stream().filter(r -> r.method().equals("POST"))
                        .findFirst().orElseThrow().params().get("StatusCallback"));
                // Newer than anything the emulator itself stamps, so these callbacks decide the final state.
                Instant t0 = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
                List<List<Map<String, String>>> payments = new ArrayList<>();
                for (int i = 0; i < PAYMENTS; i++) {
                    String[] s = sessions.get(i);
                    payments.add(CallbackSequences.payment(s[0], s[1], t0, "ch_" + i));
                }
                List<Map<String, String>> all = CallbackSequences.shuffledWithRedeliveries(payments, new Random(20261124));
                int logsBefore = changeLogs(logs).size();
                for (int status : CallbackSequences.postConcurrently(HttpClient.newHttpClient(), callbackUrl, all)) {
                    assertThat(status).isEqualTo(200);
                }

                for (String[] s : sessions) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> lastRead.getOrDefault(s[2], "").contains("\"state\":\"completed\""));
                }
                // Every change the server logged reached the subscriber as an update, nothing more arrives afterwards.
                await().atMost(Duration.ofSeconds(10)).until(() -> updates.values().stream().mapToInt(AtomicInteger::get).sum()
                        >= changeLogs(logs).size() - logsBefore);
                Thread.sleep(500);
                for (int i = 0; i < PAYMENTS; i++) {
                    String[] s = sessions.get(i);
                    JsonNode last = Json.MAPPER.readTree(lastRead.get(s[2]));
                    assertThat(last.path("state").asText()).as(s[2]).isEqualTo("completed");
                    assertThat(last.path("paymentConfirmationCode").asText()).isEqualTo("ch_" + i);
                    assertThat(last.path("paymentCardNumber").asText()).isEqualTo("xxxxxxxxxxxx4242");
                    JsonNode now = Json.MAPPER.readTree(((McpSchema.TextResourceContents) client.readResource(
                            new McpSchema.ReadResourceRequest(s[2])).contents().get(0)).text());
                    assertThat(last).as("last update read equals the state now").isEqualTo(now);
                }
                int heard = updates.values().stream().mapToInt(AtomicInteger::get).sum();
                assertThat(heard).as("one update per logged change").isEqualTo(changeLogs(logs).size() - logsBefore);
                assertThat(heard).isGreaterThanOrEqualTo(PAYMENTS * 3);
            } finally {
                client.closeGracefully();
            }
        }
    }

    /** The server logs every accepted state change from a callback once, at info, under "callbacks". */
    private static List<McpSchema.LoggingMessageNotification> changeLogs(List<McpSchema.LoggingMessageNotification> logs) {
        return logs.stream().filter(l -> "callbacks".equals(l.logger()) && l.level() == McpSchema.LoggingLevel.INFO).toList();
    }
}
