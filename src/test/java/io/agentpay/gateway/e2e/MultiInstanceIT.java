package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.redis.RedisProcess;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.tunnel.TcpRelay;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two jar instances on one real Redis behind one public callback URL (a relay standing for the
 * reverse proxy: each connection goes to instance B, or to A when B does not answer), each
 * serving MCP over HTTP to the MCP Java SDK's client, against the Twilio emulator.
 */
@Timeout(240)
class MultiInstanceIT {
    static final String TOKEN = "multi-instance-token-0123456789";

    private RedisProcess redis;
    private PaySimulator twilio;
    private TcpRelay proxy;
    private Process a;
    private Process b;
    private URI mcpA;
    private URI mcpB;
    private Path logA;
    private Path logB;
    private final List<McpSyncClient> clients = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        redis = new RedisProcess();
        twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), Duration.ofMillis(30));
        int callbackA = JarProcess.freePort();
        int callbackB = JarProcess.freePort();
        proxy = new TcpRelay(callbackB, callbackA);
        int publicPort = proxy.start();
        logA = Files.createTempFile("instance-a", ".log");
        logB = Files.createTempFile("instance-b", ".log");
        int httpA = JarProcess.freePort();
        int httpB = JarProcess.freePort();
        a = launch(httpA, callbackA, publicPort, logA);
        b = launch(httpB, callbackB, publicPort, logB);
        mcpA = URI.create("http://127.0.0.1:" + httpA);
        mcpB = URI.create("http://127.0.0.1:" + httpB);
    }

    private Process launch(int httpPort, int callbackPort, int publicPort, Path log) throws Exception {
        PaySimulator.Credentials c = twilio.credentials();
        return JarProcess.startHttp(httpPort, Map.of("PUBLIC_URL", "http://127.0.0.1:" + publicPort,
                "CALLBACK_PORT", String.valueOf(callbackPort), "TWILIO_API_BASE_URL", twilio.baseUrl().toString(),
                "TWILIO_AUTH_TOKEN", c.authToken(), "MCP_AUTH_TOKEN", TOKEN, "REDIS_URL", redis.url()),
                log, c.accountSid(), c.apiKey(), c.apiSecret());
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException e) {
                // its server was killed
            }
        });
        for (Process p : List.of(a, b)) {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        proxy.close();
        twilio.close();
        redis.close();
    }

    private McpSyncClient client(URI base, List<String> updates) {
        McpSyncClient client = HttpServerIT.client(base, TOKEN, updates, new CopyOnWriteArrayList<>());
        clients.add(client);
        return client;
    }

    private static void awaitCaptured(McpSyncClient client, String uri) {
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            JsonNode status = HttpServerIT.read(client, uri);
            return List.of("field-complete", "ready-to-complete").contains(status.path("state").asText())
                    && !status.path("partialResult").asBoolean();
        });
    }

    @Test
    void aSubscriberOnOneInstanceHearsEveryChangeWhoseCallbackLandedOnTheOther() throws Exception {
        List<String> updates = new CopyOnWriteArrayList<>();
        McpSyncClient onA = client(mcpA, updates);
        HttpServerIT.Paid paid = HttpServerIT.pay(onA, "CA11112222333344445555666677778888");

        assertThat(paid.status().path("state").asText()).isEqualTo("completed");
        assertThat(paid.status().path("paymentCardNumber").asText()).isEqualTo("xxxxxxxxxxxx1111");
        String paymentSid = paid.status().path("paymentSid").asText();
        // No client talks to B: it only took Twilio's callbacks, which A's subscriber heard about.
        assertThat(Files.readString(logB)).contains(paymentSid);
        await().atMost(Duration.ofSeconds(5)).until(() -> updates.stream().filter(paid.uri()::equals).count() >= 4);
        assertThat(Files.readString(logA) + Files.readString(logB)).doesNotContain("4111111111111111");
    }

    @Test
    void aPaymentStartedOnOneInstanceCompletesThroughTheOtherAfterTheFirstIsKilled() throws Exception {
        String call = "CA99998888777766665555444433332222";
        McpSyncClient onB = client(mcpB, new CopyOnWriteArrayList<>());
        JsonNode started = HttpServerIT.call(onB, "startPaymentCapture", Map.of("callSid", call, "chargeAmount", "7.25"));
        String uri = started.path("statusResource").asText();
        Map<String, Object> session = Map.of("callSid", call, "paymentSid", started.path("paymentSid").asText());
        HttpServerIT.call(onB, "captureCardNumber", session);
        awaitCaptured(onB, uri);

        b.destroyForcibly();
        assertThat(b.waitFor(10, TimeUnit.SECONDS)).isTrue();

        List<String> updates = new CopyOnWriteArrayList<>();
        McpSyncClient onA = client(mcpA, updates);
        onA.subscribeResource(new McpSchema.SubscribeRequest(uri));
        assertThat(HttpServerIT.read(onA, uri).path("paymentCardNumber").asText()).isEqualTo("xxxxxxxxxxxx1111");
        for (String tool : List.of("captureSecurityCode", "captureExpirationDate")) {
            HttpServerIT.call(onA, tool, session);
            awaitCaptured(onA, uri);
        }
        HttpServerIT.call(onA, "completePaymentCapture", session);
        await().atMost(Duration.ofSeconds(15)).until(() -> HttpServerIT.read(onA, uri).path("state").asText().equals("completed"));
        assertThat(HttpServerIT.read(onA, uri).path("paymentConfirmationCode").asText()).startsWith("ch_sandbox_");
        assertThat(updates).contains(uri);
    }
}
