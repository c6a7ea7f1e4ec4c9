package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.redis.RedisProcess;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.tunnel.TcpRelay;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The built jar on a Redis that is not there yet, or that crashes mid-payment: tools and
 * {@code /healthz} say so clearly (which store, no password, what to do), the server connects
 * by itself when Redis is back, and a payment then goes through against the Twilio emulator
 * with nothing captured before the crash lost. Redis keeps an append-only file and is killed
 * with SIGKILL, as a crashed process would be; it comes back on the same port and data directory.
 * And a Redis that speaks TLS only ({@code rediss://}): used once Java trusts its certificate,
 * unavailable with advice about that certificate until then.
 */
@Timeout(180)
class RedisOutageIT {
    static final String TOKEN = "redis-outage-token-0123456789";
    static final String PASSWORD = "redis-pw-never-shown-4242";
    static final String DEGRADED = "{\"status\":\"degraded\",\"reason\":\"payment session store unreachable; reconnecting\"}";
    static final String STORE_DOWN = "Payment sessions are unavailable";
    static final String STORE_BACK = "The payment session store is reachable again";

    private RedisProcess redis;
    private PaySimulator twilio;
    private TcpRelay relay;
    private Process server;
    private McpSyncClient client;
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private URI base;

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.persistentNotStarted(PASSWORD);
        twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), Duration.ofMillis(30));
        // The public URL is a relay to the port the jar binds (it picks one itself and reports it).
        relay = new TcpRelay();
        relay.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.closeGracefully();
        }
        if (server != null) {
            server.destroy();
            assertThat(server.waitFor(15, TimeUnit.SECONDS)).as("exits on SIGTERM").isTrue();
        }
        relay.close();
        twilio.close();
        redis.close();
        stderr.forEach(line -> System.err.println("jar: " + line)); // the timeline, for reading the figures
        assertThat(String.join("\n", stderr)).doesNotContain(PASSWORD).doesNotContain("4111111111111111");
    }

    private Map<String, String> env() {
        return Map.of("PUBLIC_URL", "http://localhost:" + relay.port(), "CALLBACK_PORT", "0",
                "TWILIO_API_BASE_URL", twilio.baseUrl().toString(), "TWILIO_AUTH_TOKEN", twilio.credentials().authToken(),
                "MCP_AUTH_TOKEN", TOKEN, "REDIS_URL", redis.url());
    }

    /**
     * The jar serving MCP over HTTP ({@code jvmOptions} before {@code -jar}), its stderr kept line by line; returns
     * once /healthz answers (ok or degraded).
     */
    private void launchHttp(String... jvmOptions) throws Exception {
        PaySimulator.Credentials c = twilio.credentials();
        ProcessBuilder launch = JarProcess.http(env(), c.accountSid(), c.apiKey(), c.apiSecret());
        launch.command().addAll(1, List.of(jvmOptions));
        server = launch.start();
        JarProcess.readLines(server.getErrorStream(), stderr::add, "jar-stderr");
        base = JarProcess.httpBase(stderr);
        await().atMost(Duration.ofSeconds(60)).failFast("the server exited", () -> !server.isAlive()).ignoreExceptions()
                .until(() -> health() != null);
    }

    /** Redis up, then the jar over HTTP, its callback port routed; returns once /healthz says ok. */
    private void launchHttpOnRedis() throws Exception {
        redis.start();
        launchHttp();
        relay.target(JarProcess.callbackPort(stderr));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> health().statusCode() == 200);
    }

    private HttpResponse<String> health() throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("/healthz")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * How long the server takes, after Redis answers again, until {@code /healthz} says ok: logged, not
     * asserted. {@code meanwhile} runs first (pointing the public URL at the callback endpoint once it opens).
     */
    private void awaitHealthyAfterRedisReturns(String what, Runnable meanwhile) {
        long back = System.nanoTime();
        meanwhile.run();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                .until(() -> health().statusCode() == 200);
        System.err.printf("RedisOutageIT %s: /healthz ok %d ms after Redis answered PING%n", what,
                (System.nanoTime() - back) / 1_000_000);
    }

    private static McpSchema.CallToolResult callTool(McpSyncClient client, String tool, Map<String, Object> args) {
        return client.callTool(new McpSchema.CallToolRequest(tool, args));
    }

    /** Asserts a clear store-unavailable error: which store (its URL, no password), that it retries, what to do. */
    private void assertStoreUnavailable(McpSchema.CallToolResult result) throws Exception {
        JsonNode body = Json.MAPPER.readTree(((McpSchema.TextContent) result.content().get(0)).text());
        assertThat(result.isError()).as(body.toString()).isTrue();
        assertThat(body.path("error").asText()).isEqualTo("store-unavailable");
        assertThat(body.path("message").asText()).contains("Redis at redis://127.0.0.1:" + redis.port() + "/0")
                .contains("keeps").contains("start Redis there or correct REDIS_URL").doesNotContain(PASSWORD);
        assertThat(body.path("nextStep").asText()).contains("again");
    }

    /** Warned once for the whole wait, however many connection attempts it took; recovery said once. */
    private void assertWarnedOnceAndRecoveryToldOnce() {
        assertThat(lines(STORE_DOWN)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> lines(STORE_BACK) == 1);
    }

    private long lines(String text) {
        return stderr.stream().filter(l -> l.contains(text)).count();
    }

    @Test
    void startedBeforeRedisItAnswersWithClearErrorsThenTakesAPaymentOnceRedisIsUp() throws Exception {
        launchHttp();
        HttpResponse<String> degraded = health();
        assertThat(degraded.statusCode()).isEqualTo(503);
        assertThat(degraded.body()).isEqualTo(DEGRADED);
        client = HttpServerIT.client(base, TOKEN, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
        assertThat(client.listTools().tools()).hasSize(10);
        String call = "CA0000111122223333444455556666777a";
        assertStoreUnavailable(callTool(client, "startPaymentCapture", Map.of("callSid", call, "chargeAmount", "12.50")));
        assertStoreUnavailable(callTool(client, "getPaymentStatus", Map.of("callSid", call,
                "paymentSid", "PK0123456789abcdef0123456789abcdef")));

        redis.start();
        awaitHealthyAfterRedisReturns("start-up", () -> relay.target(JarProcess.callbackPort(stderr)));
        HttpServerIT.Paid paid = HttpServerIT.pay(client, call);
        assertThat(paid.status().path("paymentCardNumber").asText()).isEqualTo("xxxxxxxxxxxx1111");
        assertThat(paid.status().path("paymentConfirmationCode").asText()).startsWith("ch_sandbox_");
        assertWarnedOnceAndRecoveryToldOnce();
    }

    @Test
    void aRedisCrashMidPaymentLosesNothingCapturedAndThePaymentCompletesWhenRedisIsBack() throws Exception {
        launchHttpOnRedis();
        List<String> updates = new CopyOnWriteArrayList<>();
        client = HttpServerIT.client(base, TOKEN, updates, new CopyOnWriteArrayList<>());
        String call = "CA0000111122223333444455556666777b";
        JsonNode started = HttpServerIT.call(client, "startPaymentCapture", Map.of("callSid", call, "chargeAmount", "9.75"));
        String uri = started.path("statusResource").asText();
        client.subscribeResource(new McpSchema.SubscribeRequest(uri));
        Map<String, Object> session = Map.of("callSid", call, "paymentSid", started.path("paymentSid").asText());
        HttpServerIT.call(client, "captureCardNumber", session);
        awaitCaptured(uri);
        assertThat(HttpServerIT.read(client, uri).path("paymentCardNumber").asText()).isEqualTo("xxxxxxxxxxxx1111");

        redis.kill();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> health().statusCode() == 503);
        assertThat(health().body()).isEqualTo(DEGRADED);
        assertStoreUnavailable(callTool(client, "getPaymentStatus", session));
        assertStoreUnavailable(callTool(client, "captureSecurityCode", session));
        assertThatThrownBy(() -> HttpServerIT.read(client, uri)).isInstanceOf(McpError.class)
                .hasMessageContaining("Redis at redis://127.0.0.1:" + redis.port() + "/0").hasMessageNotContaining(PASSWORD);

        redis.start();
        awaitHealthyAfterRedisReturns("mid-run", () -> { });
        updates.clear();
        assertThat(HttpServerIT.read(client, uri).path("paymentCardNumber").asText()).isEqualTo("xxxxxxxxxxxx1111");
        for (String tool : List.of("captureSecurityCode", "captureExpirationDate")) {
            HttpServerIT.call(client, tool, session);
            awaitCaptured(uri);
        }
        HttpServerIT.call(client, "completePaymentCapture", session);
        await().atMost(Duration.ofSeconds(15)).until(() -> HttpServerIT.read(client, uri).path("state").asText().equals("completed"));
        JsonNode done = HttpServerIT.read(client, uri);
        assertThat(done.path("paymentCardNumber").asText()).isEqualTo("xxxxxxxxxxxx1111");
        assertThat(done.path("paymentConfirmationCode").asText()).startsWith("ch_sandbox_");
        // Changes after the restart reach the subscriber: they come back through the restored pub/sub subscription.
        await().atMost(Duration.ofSeconds(5)).until(() -> updates.contains(uri));
        assertWarnedOnceAndRecoveryToldOnce();
    }

    @Test
    void aRedisThatComesBackEmptyGetsTheCallbackSecretBackSoALaterInstanceAcceptsTheSameCallbacks() throws Exception {
        launchHttpOnRedis();
        String key = "agentpay:callback-secret";
        io.lettuce.core.RedisClient redisClient = io.lettuce.core.RedisClient.create(redis.url());
        try {
            String before = redisClient.connect().sync().get(key);
            assertThat(before).hasSizeGreaterThan(30);
            redis.kill();
            redis.wipe(); // it restarts with nothing, as a Redis without persistence does
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> health().statusCode() == 503);
            redis.start();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> before.equals(redisClient.connect().sync().get(key)));
        } finally {
            redisClient.shutdown();
        }
    }

    private void awaitCaptured(String uri) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode status = HttpServerIT.read(client, uri);
            return List.of("field-complete", "ready-to-complete").contains(status.path("state").asText())
                    && !status.path("partialResult").asBoolean();
        });
    }

    /** In place of the outage tests' Redis: a started one that speaks TLS only, with a self-signed certificate. */
    private void redisOverTls() throws Exception {
        redis.close();
        redis = RedisProcess.tls();
    }

    @Test
    void overTlsWithTheCertificateTrustedAWholePaymentIsKeptInRedis() throws Exception {
        redisOverTls();
        String password = "trust-store-password";
        Path trustStore = redis.trustStore(password);
        launchHttp("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=" + password);
        relay.target(JarProcess.callbackPort(stderr));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> health().statusCode() == 200);
        client = HttpServerIT.client(base, TOKEN, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());

        HttpServerIT.Paid paid = HttpServerIT.pay(client, "CA7115000011112222333344445555aaaa");

        String code = paid.status().path("paymentConfirmationCode").asText();
        assertThat(code).startsWith("ch_sandbox_");
        io.lettuce.core.RedisClient redisClient = io.lettuce.core.RedisClient.create(redis.url());
        redisClient.setOptions(io.lettuce.core.ClientOptions.builder().sslOptions(io.lettuce.core.SslOptions.builder()
                .jdkSslProvider().truststore(trustStore.toFile(), password).build()).build());
        try {
            assertThat(redisClient.connect().sync().hget("agentpay:payment:" + paid.status().path("paymentSid").asText(), "s"))
                    .contains(code);
        } finally {
            redisClient.shutdown();
        }
    }

    @Test
    void overTlsWithoutTrustingTheCertificateHealthAndToolsSayWhatToDoAboutIt() throws Exception {
        redisOverTls();
        launchHttp();
        await().atMost(Duration.ofSeconds(20)).until(() -> health().body().equals(DEGRADED));
        client = HttpServerIT.client(base, TOKEN, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());

        McpSchema.CallToolResult result = callTool(client, "startPaymentCapture",
                Map.of("callSid", "CA7115000011112222333344445555bbbb", "chargeAmount", "1.00"));

        JsonNode body = Json.MAPPER.readTree(((McpSchema.TextContent) result.content().get(0)).text());
        assertThat(result.isError()).as(body.toString()).isTrue();
        assertThat(body.path("error").asText()).isEqualTo("store-unavailable");
        assertThat(body.path("message").asText()).contains("Redis at " + redis.url())
                .contains("TLS certificate is not trusted").contains("-Djavax.net.ssl.trustStore=");
        await().atMost(Duration.ofSeconds(5)).until(() -> lines(STORE_DOWN + ": Redis at " + redis.url()) == 1
                && lines("TLS certificate is not trusted") >= 1);
    }

    @Test
    void overStdioWithRedisDownTheServerAnswersWarnsTheClientOnceAndSaysWhenRedisIsBack() throws Exception {
        PaySimulator.Credentials c = twilio.credentials();
        ServerParameters params = ServerParameters.builder(JarProcess.java())
                .args("-jar", JarProcess.jar().toString(), c.accountSid(), c.apiKey(), c.apiSecret())
                .env(env()).build();
        StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(Json.MAPPER));
        transport.setStdErrorHandler(stderr::add);
        List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
        client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).loggingConsumer(logs::add).build();
        client.initialize();
        assertThat(client.listTools().tools()).hasSize(10);
        assertStoreUnavailable(callTool(client, "startPaymentCapture", Map.of("callSid", "CA0000111122223333444455556666777c",
                "chargeAmount", "1.00")));
        await().atMost(Duration.ofSeconds(10)).until(() -> logs.stream().anyMatch(l -> l.level() == McpSchema.LoggingLevel.WARNING
                && l.data().contains("callback endpoint opens once")));

        redis.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> logs.stream().anyMatch(l -> l.data().contains(STORE_BACK)));
        JarProcess.callbackPort(stderr); // the callback endpoint opened
        assertThat(logs).filteredOn(l -> l.level() == McpSchema.LoggingLevel.WARNING).hasSize(1)
                .allSatisfy(l -> assertThat(l.data()).contains("REDIS_URL").doesNotContain(PASSWORD));
    }
}
