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
import java.util.ArrayList;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two jar instances on one real Redis behind one public callback URL, each serving MCP over HTTP
 * to the MCP Java SDK's client, against the Twilio emulator. The URL is a relay standing for the
 * proxy (each connection to B, or to A when B does not answer) or, for {@value #SPREAD} tests, a
 * reverse proxy sending each request to A and B in turn.
 */
@Timeout(240)
class MultiInstanceIT {
    static final String TOKEN = "multi-instance-token-0123456789";
    /** Tag of tests whose callbacks the proxy spreads over both instances (else B takes them while it lives). */
    static final String SPREAD = "spread-callbacks";

    private RedisProcess redis;
    private PaySimulator twilio;
    private AutoCloseable proxy;
    private Process a;
    private Process b;
    private URI mcpA;
    private URI mcpB;
    private Path logA;
    private Path logB;
    private final List<McpSyncClient> clients = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start(TestInfo test) throws Exception {
        redis = new RedisProcess();
        twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), Duration.ofMillis(30));
        int publicPort;
        RoundRobinProxy spread = null;
        TcpRelay relay = null;
        if (test.getTags().contains(SPREAD)) {
            spread = new RoundRobinProxy();
            proxy = spread;
            publicPort = spread.port();
        } else {
            relay = new TcpRelay();
            proxy = relay;
            publicPort = relay.start();
        }
        logA = Files.createTempFile("instance-a", ".log");
        logB = Files.createTempFile("instance-b", ".log");
        a = launch(publicPort, logA);
        b = launch(publicPort, logB);
        int callbackA = JarProcess.callbackPort(logA);
        int callbackB = JarProcess.callbackPort(logB);
        if (spread != null) {
            spread.target(callbackA, callbackB);
        } else {
            relay.target(callbackB, callbackA);
        }
        mcpA = JarProcess.httpBase(logA);
        mcpB = JarProcess.httpBase(logB);
        JarProcess.awaitHealthy(a, mcpA, logA);
        JarProcess.awaitHealthy(b, mcpB, logB);
    }

    private Process launch(int publicPort, Path log) throws Exception {
        PaySimulator.Credentials c = twilio.credentials();
        return JarProcess.startHttp(Map.of("PUBLIC_URL", "http://127.0.0.1:" + publicPort,
                "CALLBACK_PORT", "0", "TWILIO_API_BASE_URL", twilio.baseUrl().toString(),
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
        awaitState(client, uri, "field-complete", "ready-to-complete");
    }

    private static void awaitState(McpSyncClient client, String uri, String... states) {
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            JsonNode status = HttpServerIT.read(client, uri);
            return List.of(states).contains(status.path("state").asText())
                    && !status.path("partialResult").asBoolean();
        });
    }

    @Test
    void aSubscriberOnOneInstanceHearsEveryChangeWhoseCallbackLandedOnTheOther() throws Exception {
        List<String> updates = new CopyOnWriteArrayList<>();
        McpSyncClient onA = client(mcpA, updates);
        String call = "CA11112222333344445555666677778888";
        JsonNode started = HttpServerIT.call(onA, "startPaymentCapture", Map.of("callSid", call, "chargeAmount", "12.50"));
        String paymentSid = started.path("paymentSid").asText();
        String uri = started.path("statusResource").asText();
        onA.subscribeResource(new McpSchema.SubscribeRequest(uri));
        List<String> updatesOnB = new CopyOnWriteArrayList<>();
        client(mcpB, updatesOnB).subscribeResource(new McpSchema.SubscribeRequest(uri)); // B's subscriber only listens
        Map<String, Object> session = Map.of("callSid", call, "paymentSid", paymentSid);

        // A tool waiting on A returns with the change whose callback landed on B (else it waits out its 15 s, or the client its 20 s).
        HttpServerIT.call(onA, "captureCardNumber", Map.of("callSid", call, "paymentSid", paymentSid, "waitSeconds", 0));
        assertThat(HttpServerIT.call(onA, "getPaymentStatus", Map.of("callSid", call, "paymentSid", paymentSid, "waitSeconds", 15))
                .path("outcome").asText()).isEqualTo("captured");
        assertThat(HttpServerIT.call(onA, "captureSecurityCode", session).path("outcome").asText()).isEqualTo("captured");
        assertThat(HttpServerIT.call(onA, "captureExpirationDate", session).path("outcome").asText()).isIn("captured", "ready-to-complete");
        JsonNode done = HttpServerIT.call(onA, "completePaymentCapture", session);

        assertThat(done.path("outcome").asText()).isEqualTo("completed");
        assertThat(done.path("paymentCardNumber").asText()).isEqualTo("xxxxxxxxxxxx1111");
        // No tool call goes to B: it only took Twilio's callbacks. A's subscriber heard each change B's did (the callbacks
        // merged on B and the four requests made through A after subscribing), and B's heard A's.
        assertThat(Files.readString(logB)).contains(paymentSid);
        await().atMost(Duration.ofSeconds(5)).until(() -> updates.size() > 4 && updates.size() == updatesOnB.size());
        assertThat(updates).containsOnly(uri);
        assertThat(updatesOnB).containsOnly(uri);
        assertThat(Files.readString(logA) + Files.readString(logB)).doesNotContain("4111111111111111");
    }

    @Test
    void paymentsStartedOnOneInstanceCompleteOrCancelThroughTheOtherAfterTheFirstIsKilled() throws Exception {
        String call = "CA99998888777766665555444433332222";
        McpSyncClient onB = client(mcpB, new CopyOnWriteArrayList<>());
        JsonNode started = HttpServerIT.call(onB, "startPaymentCapture", Map.of("callSid", call, "chargeAmount", "7.25"));
        String uri = started.path("statusResource").asText();
        Map<String, Object> session = Map.of("callSid", call, "paymentSid", started.path("paymentSid").asText());
        HttpServerIT.call(onB, "captureCardNumber", session);
        awaitCaptured(onB, uri);
        String cancelledCall = "CA99998888777766665555444433331111";
        JsonNode toCancel = HttpServerIT.call(onB, "startPaymentCapture", Map.of("callSid", cancelledCall, "chargeAmount", "3.10"));
        Map<String, Object> cancelledSession = Map.of("callSid", cancelledCall, "paymentSid", toCancel.path("paymentSid").asText());

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
        // The other payment B started is cancelled through A.
        HttpServerIT.call(onA, "cancelPaymentCapture", cancelledSession);
        awaitState(onA, toCancel.path("statusResource").asText(), "cancelled");
    }

    /** How one payment of many was driven, and how it must end. */
    private record Driven(String uri, String state, String amount) {}

    @Test
    @Tag(SPREAD)
    @Timeout(1800)
    void manyConcurrentPaymentsAcrossBothInstancesEndExactlyAsTwilioSays() throws Exception {
        int payments = Integer.getInteger("multiInstance.payments", 1000);
        McpSyncClient onA = client(mcpA, new CopyOnWriteArrayList<>());
        McpSyncClient onB = client(mcpB, new CopyOnWriteArrayList<>());
        ExecutorService workers = Executors.newFixedThreadPool(32);
        List<Future<Driven>> driven = new ArrayList<>();
        try {
            for (int n = 0; n < payments; n++) {
                int i = n;
                // Each step goes through the other instance than the one before; every wait reads through the other one.
                McpSyncClient one = i % 2 == 0 ? onA : onB;
                McpSyncClient other = i % 2 == 0 ? onB : onA;
                driven.add(workers.submit(() -> {
                    String call = String.format("CA%028x0000", 0x5000000L + i); // the emulator's default caller
                    String amount = String.format("%d.%02d", 1 + i / 100, i % 100);
                    JsonNode started = HttpServerIT.call(one, "startPaymentCapture", Map.of("callSid", call, "chargeAmount", amount));
                    String uri = started.path("statusResource").asText();
                    Map<String, Object> session = Map.of("callSid", call, "paymentSid", started.path("paymentSid").asText());
                    HttpServerIT.call(other, "captureCardNumber", session);
                    awaitCaptured(one, uri);
                    if (i % 10 == 3) {
                        HttpServerIT.call(one, "cancelPaymentCapture", session);
                        awaitState(other, uri, "cancelled");
                        return new Driven(uri, "cancelled", amount);
                    }
                    HttpServerIT.call(one, "captureSecurityCode", session);
                    awaitCaptured(other, uri);
                    HttpServerIT.call(other, "captureExpirationDate", session);
                    awaitCaptured(one, uri);
                    HttpServerIT.call(one, "completePaymentCapture", session);
                    awaitState(other, uri, "completed");
                    return new Driven(uri, "completed", amount);
                }));
            }
            List<String> codes = new ArrayList<>();
            for (Future<Driven> future : driven) {
                Driven d = future.get();
                JsonNode end = HttpServerIT.read(onA, d.uri());
                assertThat(end.path("state").asText()).as(d.uri()).isEqualTo(d.state());
                if (d.state().equals("completed")) {
                    assertThat(end.path("chargeAmount").asText()).isEqualTo(d.amount());
                    codes.add(end.path("paymentConfirmationCode").asText());
                }
            }
            assertThat(codes).allMatch(c -> c.startsWith("ch_sandbox_")).doesNotHaveDuplicates()
                    .hasSize(payments - (int) java.util.stream.IntStream.range(0, payments).filter(i -> i % 10 == 3).count());
        } finally {
            workers.shutdownNow();
        }
        assertThat(twilio.paymentSids()).hasSize(payments);
        assertThat(Files.readString(logA)).contains(" callbacks - ");
        assertThat(Files.readString(logB)).contains(" callbacks - ");
    }
}
