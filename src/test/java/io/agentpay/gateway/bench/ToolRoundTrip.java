package io.agentpay.gateway.bench;

import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.PaymentStore;
import io.agentpay.gateway.twilio.StartRequest;
import io.agentpay.gateway.twilio.TwilioAgentPaymentServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Tool round trip over stdio against the loopback Twilio emulator, next to the same Twilio request
 * made in-process: the difference is what MCP, stdio and the server add. The simulated caller is
 * slowed to minutes so that no callback competes for the CPU while the requests are timed. Run with
 * bench/tool-round-trip.sh JAR [CALLS]; prints p50 and p90 of both and the difference.
 */
public final class ToolRoundTrip {
    private ToolRoundTrip() {}

    public static void main(String[] args) throws Exception {
        String jar = args[0];
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        List<String> jvmFlags = List.of(System.getProperty("bench.jvmFlags", "").trim().split("\\s+"));
        try (PaySimulator twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), Duration.ofMinutes(10))) {
            PaySimulator.Credentials c = twilio.credentials();
            String call = "CAfedcba9876543210fedcba98765432" + "aa";
            PaymentStore store = new PaymentStore(Duration.ofHours(1));
            TwilioAgentPaymentServer direct = new TwilioAgentPaymentServer(c.accountSid(), c.apiKey(), c.apiSecret(),
                    new TwilioAgentPaymentServer.Options("reusable", "USD", "Default", twilio.baseUrl(),
                            () -> URI.create("http://localhost:9/callbacks/unused"), store, Duration.ofSeconds(5), 0, Duration.ofMillis(10)));
            String directPayment = direct.start(new StartRequest(call, null, null, null, null, false, true, null)).paymentSid();
            List<Long> inProcess = new ArrayList<>();
            for (int i = 0; i < calls + 100; i++) {
                long t0 = System.nanoTime();
                direct.capture(call, directPayment, CaptureField.PAYMENT_CARD_NUMBER);
                if (i >= 100) {
                    inProcess.add(System.nanoTime() - t0);
                }
            }
            // The emulator's own response time: the same update as a bare HTTP request, no Twilio SDK.
            java.net.http.HttpClient raw = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
            String authorization = "Basic " + java.util.Base64.getEncoder().encodeToString((c.apiKey() + ":" + c.apiSecret())
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            URI update = URI.create(twilio.baseUrl() + "/2010-04-01/Accounts/" + c.accountSid() + "/Calls/" + call + "/Payments/"
                    + directPayment + ".json");
            List<Long> emulator = new ArrayList<>();
            for (int i = 0; i < calls + 100; i++) {
                java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(update)
                        .header("Authorization", authorization)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("Capture=payment-card-number&IdempotencyKey=raw-" + i
                                + "&StatusCallback=http%3A%2F%2Flocalhost%3A9%2Fcallbacks%2Funused"))
                        .build();
                long t0 = System.nanoTime();
                int status = raw.send(request, java.net.http.HttpResponse.BodyHandlers.ofByteArray()).statusCode();
                if (status / 100 != 2) {
                    throw new IllegalStateException("emulator answered " + status);
                }
                if (i >= 100) {
                    emulator.add(System.nanoTime() - t0);
                }
            }
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            List<String> command = new ArrayList<>();
            jvmFlags.stream().filter(f -> !f.isEmpty()).forEach(command::add);
            command.addAll(List.of("-jar", jar, c.accountSid(), c.apiKey(), c.apiSecret()));
            ServerParameters params = ServerParameters.builder("java").args(command)
                    .env(Map.of("PUBLIC_URL", "http://localhost:" + port, "CALLBACK_PORT", String.valueOf(port),
                            "TWILIO_API_BASE_URL", twilio.baseUrl().toString(), "TWILIO_AUTH_TOKEN", c.authToken()))
                    .build();
            StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(Json.MAPPER));
            transport.setStdErrorHandler(line -> { });
            String call2 = "CAfedcba9876543210fedcba98765432" + "bb";
            List<Long> overStdio = new ArrayList<>();
            List<Long> noTwilio = new ArrayList<>();
            try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build()) {
                client.initialize();
                McpSchema.CallToolResult started = client.callTool(new McpSchema.CallToolRequest("startPaymentCapture",
                        Map.of("callSid", call2)));
                String paymentSid = Json.MAPPER.readTree(((McpSchema.TextContent) started.content().get(0)).text())
                        .path("paymentSid").asText();
                for (int i = 0; i < calls + 100; i++) {
                    long t0 = System.nanoTime();
                    McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest("captureCardNumber",
                            Map.of("callSid", call2, "paymentSid", paymentSid)));
                    if (Boolean.TRUE.equals(r.isError())) {
                        throw new IllegalStateException(((McpSchema.TextContent) r.content().get(0)).text());
                    }
                    if (i >= 100) {
                        overStdio.add(System.nanoTime() - t0);
                    }
                }
                for (int i = 0; i < calls + 100; i++) {
                    long t0 = System.nanoTime();
                    client.callTool(new McpSchema.CallToolRequest("captureCardNumber", Map.of("callSid", "CA-not-a-sid",
                            "paymentSid", paymentSid)));
                    if (i >= 100) {
                        noTwilio.add(System.nanoTime() - t0);
                    }
                }
            }
            double p50a = percentile(inProcess, 50);
            double p50b = percentile(overStdio, 50);
            System.out.printf("emulator, bare HTTP request: p50 %.3f ms p90 %.3f ms%n", percentile(emulator, 50), percentile(emulator, 90));
            System.out.printf("twilio request in-process: p50 %.3f ms p90 %.3f ms%n", p50a, percentile(inProcess, 90));
            System.out.printf("tools/call over stdio:     p50 %.3f ms p90 %.3f ms%n", p50b, percentile(overStdio, 90));
            System.out.printf("tools/call refused before Twilio (MCP + stdio floor): p50 %.3f ms%n", percentile(noTwilio, 50));
            System.out.printf("added by MCP + stdio + server: p50 %.3f ms (n=%d each)%n", p50b - p50a, calls);
            System.out.printf("tools/call above the emulator's own response time: p50 %.3f ms%n", p50b - percentile(emulator, 50));
        }
    }

    private static double percentile(List<Long> nanos, int p) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100)) / 1e6;
    }
}
