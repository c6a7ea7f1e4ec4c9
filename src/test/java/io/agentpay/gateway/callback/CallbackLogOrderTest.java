package io.agentpay.gateway.callback;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.McpLog;
import io.agentpay.gateway.state.PaymentStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Log summaries of one payment's callbacks, posted from many threads at once, come out in the order they were merged. */
@Timeout(60)
class CallbackLogOrderTest {
    static final String PK = CallbackServerTest.PK;
    static final String[] FIELDS = {"payment-card-number", "security-code", "expiration-date"};

    @Test
    void summariesOfOnePaymentAreLoggedInMergeOrder() throws Exception {
        PaymentStore store = new PaymentStore(Duration.ofHours(1));
        List<String> merged = new CopyOnWriteArrayList<>();
        store.onChange(s -> merged.add(CallbackIngress.summary(s)));
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        McpLog log = new McpLog();
        CallbackServer server = new CallbackServer(store, log, new CallbackAuth(CallbackAuth.newSecret(), null), Json.MAPPER);
        ExecutorService posters = Executors.newFixedThreadPool(16);
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int port = server.start("127.0.0.1", 0);
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + port + server.callbackPath());
            List<Future<?>> posted = new ArrayList<>();
            for (int i = 0; i < 1_500; i++) {
                // The same time for all: each merges as the newest, so nearly every one is a change with its own log line.
                String body = "Sid=" + PK + "&CallSid=" + CallbackServerTest.CA + "&DateUpdated=2026-11-24T15:04:05.123Z"
                        + "&Capture=" + FIELDS[i % 3] + "&PartialResult=false&Required=" + FIELDS[(i + 1) % 3];
                HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
                        .header("I-Twilio-Idempotency-Token", "t" + i).POST(HttpRequest.BodyPublishers.ofString(body)).build();
                posted.add(posters.submit(() -> http.send(request, HttpResponse.BodyHandlers.discarding())));
            }
            for (Future<?> f : posted) {
                f.get();
            }
            assertThat(log.awaitIdle(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            System.setErr(original);
            posters.shutdownNow();
            server.close();
            log.close();
        }
        List<String> logged = captured.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.contains("Payment " + PK))
                .map(line -> line.substring(line.indexOf("Payment " + PK)))
                .toList();
        assertThat(merged).hasSizeGreaterThan(100);
        assertThat(logged).isEqualTo(merged);
    }
}
