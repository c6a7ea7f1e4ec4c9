package io.agentpay.gateway.callback;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpay.gateway.mcp.Json;
import io.agentpay.gateway.mcp.McpLog;
import io.agentpay.gateway.redis.RedisProcess;
import io.agentpay.gateway.redis.RedisSessions;
import io.agentpay.gateway.state.PaymentField;
import io.agentpay.gateway.state.PaymentStore;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.junit.jupiter.api.Test;

/**
 * Where callbacks run: on Jetty's selector threads when sessions are in memory (a merge is CPU work
 * only), on the thread pool when a merge waits on a shared store, so that a slow store cannot
 * stall the selectors. Either way a signed callback is stored.
 */
class CallbackThreadingTest {
    private static final String TOKEN = CallbackServerTest.AUTH_TOKEN;

    @Test
    void inMemoryCallbacksRunOnTheSelectorThreads() throws Exception {
        PaymentStore store = new PaymentStore(Duration.ofHours(1));
        assertThat(postAndRead(store, store)).isEqualTo(InvocationType.NON_BLOCKING);
    }

    @Test
    void sharedStoreCallbacksRunOnThePool() throws Exception {
        try (RedisProcess redis = new RedisProcess();
             RedisSessions mine = RedisSessions.connect(redis.url(), Duration.ofHours(1), Json.MAPPER);
             RedisSessions other = RedisSessions.connect(redis.url(), Duration.ofHours(1), Json.MAPPER)) {
            PaymentStore store = new PaymentStore(Duration.ofHours(1), mine);
            assertThat(postAndRead(store, new PaymentStore(Duration.ofHours(1), other))).isEqualTo(InvocationType.BLOCKING);
        }
    }

    /** Posts one signed callback to a server on {@code store}, checks {@code reader} sees it, and says how it was run. */
    private static InvocationType postAndRead(PaymentStore store, PaymentStore reader) throws Exception {
        McpLog log = new McpLog();
        CallbackAuth auth = new CallbackAuth(CallbackAuth.newSecret(), TOKEN);
        try (CallbackServer server = new CallbackServer(store, log, auth, Json.MAPPER)) {
            int port = server.start("127.0.0.1", 0);
            server.publicBaseUrl(() -> CallbackServerTest.PUBLIC);
            Map<String, String> fields = CallbackServerTest.fields("Result", "success", "PaymentCardNumber", "xxxxxxxxxxxx4242");
            StringBuilder body = new StringBuilder();
            fields.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(k).append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + server.callbackPath()))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("X-Twilio-Signature", CallbackServerTest.sign(CallbackServerTest.PUBLIC + server.callbackPath(), fields, TOKEN))
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
            assertThat(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(reader.find(CallbackServerTest.PK).orElseThrow().value(PaymentField.PAYMENT_CARD_NUMBER))
                    .isEqualTo("xxxxxxxxxxxx4242");
            return server.invocationType();
        } finally {
            log.close();
        }
    }
}
