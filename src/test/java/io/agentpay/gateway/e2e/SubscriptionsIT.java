package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.ToolResultCheck;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.resilience.CallbackSequences;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.tunnel.TcpRelay;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;

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
        try (PaySimulator twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), Duration.ofMinutes(10));
             TcpRelay relay = new TcpRelay()) {
            PaySimulator.Credentials c = twilio.credentials();
            int port = relay.start();
            List<String> stderr = new CopyOnWriteArrayList<>();
            Map<String, String> lastRead = new ConcurrentHashMap<>();
            Map<String, AtomicInteger> updates = new ConcurrentHashMap<>();
            List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
            ServerParameters params = ServerParameters.builder(JarProcess.java())
                    .args("-jar", JarProcess.jar().toString(), c.accountSid(), c.apiKey(), c.apiSecret())
                    .env(Map.of("PUBLIC_URL", "http://127.0.0.1:" + port, "CALLBACK_PORT", "0",
                            "TWILIO_API_BASE_URL", twilio.baseUrl().toString()))
                    .build();
            StdioClientTransport stdio = new StdioClientTransport(params, new JacksonMcpJsonMapper(Json.MAPPER));
            stdio.setStdErrorHandler(stderr::add);
            UpdateReceipts received = new UpdateReceipts(stdio);
            McpSyncClient client = McpClient.sync(received)
                    .requestTimeout(Duration.ofSeconds(30))
                    .loggingConsumer(logs::add)
                    .resourcesUpdateConsumer(contents -> contents.forEach(r -> {
                        // The client reads each update on its own, so two reads can complete out of order:
                        // keep the newest content read (by the server's updatedAt), not the last to arrive.
                        lastRead.merge(r.uri(), ((McpSchema.TextResourceContents) r).text(), SubscriptionsIT::newer);
                        updates.computeIfAbsent(r.uri(), k -> new AtomicInteger()).incrementAndGet();
                    }))
                    .build();
            client.initialize();
            relay.target(JarProcess.callbackPort(stderr));
            try {
                client.setLoggingLevel(McpSchema.LoggingLevel.INFO);
                // The clock: a payment only callbacks create, subscribed before anything happened to it, so each of its
                // updates is one of its callbacks. Every change is notified in the order the store merged it (one queue),
                // so once the clock's update for a callback arrived, every change merged before that callback was notified.
                String clockCall = String.format("CA%032x", 0xc10c);
                String clockSid = String.format("PK%032x", 0xc10c);
                String clockUri = "payment://" + clockCall + "/" + clockSid + "/status";
                client.subscribeResource(new McpSchema.SubscribeRequest(clockUri));
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
                List<Map<String, String>> clock = CallbackSequences.payment(clockCall, clockSid, t0, "ch_clock");
                // A start's own change may be notified after its subscription arrived, or before it (to nobody): the
                // count starts once every start is past, and only callbacks' changes are logged.
                tick(callbackUrl, clock.get(0), received, clockUri, 1);
                Map<String, Integer> before = new HashMap<>();
                sessions.forEach(s -> before.put(s[2], received.count(s[2])));
                List<List<Map<String, String>>> payments = new ArrayList<>();
                for (int i = 0; i < PAYMENTS; i++) {
                    String[] s = sessions.get(i);
                    payments.add(CallbackSequences.payment(s[0], s[1], t0, "ch_" + i));
                }
                List<Map<String, String>> all = CallbackSequences.shuffledWithRedeliveries(payments, new Random(20261124));
                for (int status : CallbackSequences.postConcurrently(HttpClient.newHttpClient(), callbackUrl, all)) {
                    assertThat(status).isEqualTo(200);
                }
                // Every callback above was merged before it was answered, so before this one: their updates arrived first.
                // Their log lines travel on one queue of their own, also in merge order, so they precede the clock's line.
                tick(callbackUrl, clock.get(2), received, clockUri, 2);
                await().atMost(Duration.ofSeconds(30)).until(() -> changeLogs(logs).stream()
                        .filter(l -> l.data().contains(clockSid)).count() == 2);
                // Each update received is read once, then handed to the consumer: wait for the reads still under way.
                await().atMost(Duration.ofSeconds(30)).until(() -> sessions.stream().allMatch(s ->
                        updates.getOrDefault(s[2], new AtomicInteger()).get() == received.count(s[2])));
                int heard = 0;
                for (int i = 0; i < PAYMENTS; i++) {
                    String[] s = sessions.get(i);
                    long logged = changeLogs(logs).stream().filter(l -> l.data().contains(s[1])).count();
                    int notified = received.count(s[2]) - before.get(s[2]);
                    assertThat(notified).as("one update per logged change of " + s[2]).isEqualTo(logged);
                    heard += notified;
                    JsonNode last = Json.MAPPER.readTree(lastRead.get(s[2]));
                    assertThat(last.path("state").asText()).as(s[2]).isEqualTo("completed");
                    assertThat(last.path("paymentConfirmationCode").asText()).isEqualTo("ch_" + i);
                    assertThat(last.path("paymentCardNumber").asText()).isEqualTo("xxxxxxxxxxxx4242");
                    JsonNode now = Json.MAPPER.readTree(((McpSchema.TextResourceContents) client.readResource(
                            new McpSchema.ReadResourceRequest(s[2])).contents().get(0)).text());
                    assertThat(last).as("last update read equals the state now").isEqualTo(now);
                }
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

    /** Posts one callback of the clock payment and waits until its update, the {@code n}th, has arrived. */
    private static void tick(URI callbackUrl, Map<String, String> callback, UpdateReceipts received, String clockUri, int n)
            throws Exception {
        assertThat(CallbackSequences.post(HttpClient.newHttpClient(), callbackUrl, callback)).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> received.count(clockUri) >= n);
        assertThat(received.count(clockUri)).as("one update per clock callback").isEqualTo(n);
    }

    /**
     * The client's transport, counting each {@code notifications/resources/updated} as it arrives, in the order the
     * server wrote them (the client's resource consumer only runs once its read of the resource is answered).
     */
    private static final class UpdateReceipts implements McpClientTransport {
        private final McpClientTransport delegate;
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

        UpdateReceipts(McpClientTransport delegate) {
            this.delegate = delegate;
        }

        int count(String uri) {
            return counts.getOrDefault(uri, new AtomicInteger()).get();
        }

        @Override
        public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
            return delegate.connect(in -> handler.apply(in.doOnNext(message -> {
                if (message instanceof McpSchema.JSONRPCNotification n
                        && McpSchema.METHOD_NOTIFICATION_RESOURCES_UPDATED.equals(n.method())) {
                    String uri = Json.MAPPER.convertValue(n.params(), JsonNode.class).path("uri").asText();
                    counts.computeIfAbsent(uri, k -> new AtomicInteger()).incrementAndGet();
                }
            })));
        }

        @Override
        public void setExceptionHandler(Consumer<Throwable> handler) {
            delegate.setExceptionHandler(handler);
        }

        @Override
        public List<String> protocolVersions() {
            return delegate.protocolVersions();
        }

        @Override
        public Mono<Void> closeGracefully() {
            return delegate.closeGracefully();
        }

        @Override
        public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
            return delegate.sendMessage(message);
        }

        @Override
        public <T> T unmarshalFrom(Object data, TypeRef<T> type) {
            return delegate.unmarshalFrom(data, type);
        }
    }

    private static String newer(String a, String b) {
        try {
            java.time.Instant ta = java.time.Instant.parse(Json.MAPPER.readTree(a).path("updatedAt").asText());
            java.time.Instant tb = java.time.Instant.parse(Json.MAPPER.readTree(b).path("updatedAt").asText());
            return tb.isBefore(ta) ? a : b;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
