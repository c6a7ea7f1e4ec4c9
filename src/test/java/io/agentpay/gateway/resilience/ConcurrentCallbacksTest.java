package io.agentpay.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpay.gateway.callback.CallbackAuth;
import io.agentpay.gateway.callback.CallbackServer;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.McpLog;
import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.PaymentField;
import io.agentpay.gateway.state.PaymentState;
import io.agentpay.gateway.state.PaymentStatus;
import io.agentpay.gateway.state.PaymentStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 1,000 payments in flight: every callback of every payment, plus redeliveries and late partial
 * results, posted over real HTTP from 16 threads in random order. Each payment must end exactly
 * as its newest callbacks say, and the last change each listener heard must be the final state.
 */
@Timeout(120)
class ConcurrentCallbacksTest {
    static final int PAYMENTS = Integer.getInteger("resilience.payments", 1_000);
    static final Instant T0 = Instant.parse("2026-11-24T15:00:00Z");

    static String pk(int i) { return String.format("PK%032x", i); }

    static String ca(int i) { return String.format("CA%032x", i); }

    static List<Map<String, String>> sequence(int i) {
        return CallbackSequences.payment(ca(i), pk(i), T0, "ch_" + i);
    }

    @Test
    void everyPaymentEndsExactlyRightWhateverTheOrder() throws Exception {
        PaymentStore store = new PaymentStore(Duration.ofHours(1));
        Map<String, PaymentStatus> lastHeard = new ConcurrentHashMap<>();
        AtomicInteger changes = new AtomicInteger();
        store.onChange(s -> {
            lastHeard.put(s.paymentSid(), s);
            changes.incrementAndGet();
        });
        try (McpLog log = new McpLog()) {
            CallbackAuth auth = new CallbackAuth(CallbackAuth.newSecret(), null);
            CallbackServer server = new CallbackServer(store, log, auth, Json.MAPPER);
            int port = server.start("127.0.0.1", 0);
            server.publicBaseUrl(() -> "http://127.0.0.1:" + port);
            ExecutorService clientThreads = Executors.newFixedThreadPool(4);
            try {
                List<List<Map<String, String>>> payments = new ArrayList<>();
                for (int i = 0; i < PAYMENTS; i++) {
                    payments.add(sequence(i));
                }
                List<Map<String, String>> all = CallbackSequences.shuffledWithRedeliveries(payments, new Random(42));
                URI uri = URI.create("http://127.0.0.1:" + port + server.callbackPath());
                for (int status : CallbackSequences.postConcurrently(HttpClient.newBuilder().executor(clientThreads).build(), uri, all)) {
                    assertThat(status).isEqualTo(200);
                }
            } finally {
                server.close();
                clientThreads.shutdownNow();
            }
        }
        for (int i = 0; i < PAYMENTS; i++) {
            PaymentStatus s = store.find(pk(i)).orElseThrow();
            assertThat(s.state()).as(pk(i)).isEqualTo(PaymentState.COMPLETED);
            assertThat(s.value(PaymentField.PAYMENT_CARD_NUMBER)).isEqualTo("xxxxxxxxxxxx4242");
            assertThat(s.value(PaymentField.SECURITY_CODE)).isEqualTo("xxx");
            assertThat(s.value(PaymentField.EXPIRATION_DATE)).isEqualTo("1230");
            assertThat(s.value(PaymentField.PAYMENT_CONFIRMATION_CODE)).isEqualTo("ch_" + i);
            assertThat(lastHeard.get(pk(i)).sameProgressAs(s)).as("last change heard for " + pk(i)).isTrue();
        }
        assertThat(changes.get()).isGreaterThanOrEqualTo(PAYMENTS * 2);
    }

    /** A final state after a result: no later progress moved it; a session without a result keeps its newest step. */
    @Test
    void withoutTheOutcomeTheNewestStepWins() throws Exception {
        PaymentStore store = new PaymentStore(Duration.ofHours(1));
        List<Map<String, String>> seq = new ArrayList<>(sequence(7).subList(0, 6));
        Collections.shuffle(seq, new Random(7));
        for (Map<String, String> f : seq) {
            Map<String, String> copy = new LinkedHashMap<>(f);
            String token = copy.remove(CallbackSequences.TOKEN);
            store.apply(io.agentpay.gateway.callback.CallbackParserAccess.parse(copy, token));
        }
        PaymentStatus s = store.find(pk(7)).orElseThrow();
        assertThat(s.state()).isEqualTo(PaymentState.READY_TO_COMPLETE);
        assertThat(s.capture()).isEqualTo(CaptureField.EXPIRATION_DATE);
        assertThat(s.required()).isEmpty();
    }

}
