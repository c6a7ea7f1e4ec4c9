package io.agentpay.gateway.callback;

import static io.agentpay.gateway.callback.CallbackServerTest.CA;
import static io.agentpay.gateway.callback.CallbackServerTest.PK;
import static io.agentpay.gateway.callback.CallbackServerTest.fields;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.McpLog;
import io.agentpay.gateway.redis.RedisProcess;
import io.agentpay.gateway.redis.RedisSessions;
import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.PaymentField;
import io.agentpay.gateway.state.PaymentState;
import io.agentpay.gateway.state.PaymentStatus;
import io.agentpay.gateway.state.PaymentStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A signed callback that arrives while Redis is down is answered 503, never 200: Twilio must not
 * take it as delivered. What was stored before the crash is still there when Redis (append-only
 * file, killed with SIGKILL) is back, and a redelivery of the refused callback is then stored.
 */
@Timeout(120)
class CallbackDuringRedisOutageTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private RedisProcess redis;
    private RedisSessions sessions;
    private PaymentStore store;
    private McpLog log;
    private CallbackServer server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.persistentNotStarted("callback-outage-pw");
        redis.start();
        sessions = RedisSessions.open(redis.url(), Duration.ofHours(1), Json.MAPPER);
        store = new PaymentStore(Duration.ofHours(1), sessions);
        log = new McpLog();
        server = new CallbackServer(store, log, new CallbackAuth(CallbackAuth.newSecret(), CallbackServerTest.AUTH_TOKEN), Json.MAPPER);
        port = server.start("127.0.0.1", 0);
        server.publicBaseUrl(() -> CallbackServerTest.PUBLIC);
    }

    @AfterEach
    void stop() {
        server.close();
        log.close();
        sessions.close();
        redis.close();
    }

    private int post(Map<String, String> fields, String idempotencyToken) throws Exception {
        String path = server.callbackPath();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Twilio-Signature", CallbackServerTest.sign(CallbackServerTest.PUBLIC + path, fields))
                .header("I-Twilio-Idempotency-Token", idempotencyToken)
                .POST(HttpRequest.BodyPublishers.ofString(TwilioPost.form(fields))).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aCallbackDuringTheOutageIs503AndItsRedeliveryIsStoredOnceRedisIsBack() throws Exception {
        assertThat(post(fields("DateCreated", "2026-11-24T15:04:05.123Z"), "t-created")).isEqualTo(200);
        assertThat(post(fields("DateUpdated", "2026-11-24T15:04:40.000Z", "Capture", "payment-card-number", "Required",
                "security-code,expiration-date", "PartialResult", "false", "PaymentCardNumber", "xxxxxxxxxxxx1111"), "t-card"))
                .isEqualTo(200);

        redis.kill();
        await().atMost(Duration.ofSeconds(20)).until(() -> store.unavailable().isPresent());
        Map<String, String> securityCode = fields("DateUpdated", "2026-11-24T15:05:00.000Z", "Capture", "security-code",
                "Required", "expiration-date", "PartialResult", "false", "PaymentCardNumber", "xxxxxxxxxxxx1111", "SecurityCode", "xxx");
        assertThat(post(securityCode, "t-code")).isEqualTo(503);

        redis.start();
        store.whenAvailable().get(30, java.util.concurrent.TimeUnit.SECONDS);
        PaymentStatus kept = store.find(PK).orElseThrow();
        assertThat(kept.callSid()).isEqualTo(CA);
        assertThat(kept.value(PaymentField.PAYMENT_CARD_NUMBER)).isEqualTo("xxxxxxxxxxxx1111");
        assertThat(kept.required()).containsExactly(CaptureField.SECURITY_CODE, CaptureField.EXPIRATION_DATE);

        assertThat(post(securityCode, "t-code")).isEqualTo(200);
        PaymentStatus after = store.find(PK).orElseThrow();
        assertThat(after.required()).containsExactly(CaptureField.EXPIRATION_DATE);
        assertThat(after.state()).isEqualTo(PaymentState.FIELD_COMPLETE);
    }
}
