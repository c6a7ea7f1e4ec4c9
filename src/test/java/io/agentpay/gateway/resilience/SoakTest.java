package io.agentpay.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.sandbox.PaySimulator.Fault;
import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.PaymentField;
import io.agentpay.gateway.state.PaymentState;
import io.agentpay.gateway.state.PaymentStatus;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Whole payments from several threads at once for {@code soak.duration} (seconds in the normal
 * build, 10 minutes with {@code -Plarge}) while Twilio loses answers (requests it applied but never
 * answered, once or on every retry), answers slowly, fails with 503 and redelivers callbacks. The
 * tools are retried as a model would retry them; at the end every payment session the Twilio
 * emulator holds must stand in the server exactly as it stands at Twilio.
 */
class SoakTest {
    static final Duration DURATION = Duration.parse(System.getProperty("soak.duration", "PT8S"));
    static final int WORKERS = 6;
    static final Duration TIMEOUT = Duration.ofMillis(400);
    static final Set<String> RETRIED = Set.of("twilio-unreachable", "twilio-unavailable", "rate-limited");
    static final List<String> CAPTURES = List.of("captureCardNumber", "captureSecurityCode", "captureExpirationDate");
    static final List<CaptureField> FIELDS = List.of(CaptureField.PAYMENT_CARD_NUMBER, CaptureField.SECURITY_CODE,
            CaptureField.EXPIRATION_DATE);

    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicLong faults = new AtomicLong();
    private final AtomicLong failedTools = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private final List<String> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void concurrentPaymentsThroughLostAnswersRedeliveriesAndSlowTwilioEndAsTwilioHasThem() throws Exception {
        try (GatewayFixture gateway = new GatewayFixture(Duration.ofMillis(10), TIMEOUT)) {
            long began = System.nanoTime();
            ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
            long end = System.nanoTime() + DURATION.toNanos();
            List<Future<?>> running = new ArrayList<>();
            try {
                for (int w = 0; w < WORKERS; w++) {
                    running.add(workers.submit(() -> {
                        while (System.nanoTime() < end) {
                            pay(gateway);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : running) {
                    f.get();
                }
            } finally {
                workers.shutdownNow();
            }
            List<String> wrong;
            try {
                await().pollInterval(Duration.ofMillis(50)).atMost(Duration.ofSeconds(30)).until(() -> wrong(gateway).isEmpty());
                wrong = List.of();
            } catch (ConditionTimeoutException e) {
                wrong = wrong(gateway);
            }
            List<PaySimulator.SessionState> sessions = gateway.twilio.sessionStates();
            long completed = sessions.stream().filter(s -> "success".equals(s.ending())).count();
            String figures = String.format("soak %d s: %d payments (%d completed, %d abandoned after 8 tries of a step), %d callbacks "
                            + "posted, %d faults injected, %d tool calls failed for Twilio's sake, %d wrong, %d unexpected results",
                    Duration.ofNanos(System.nanoTime() - began).toSeconds(), sessions.size(), completed, abandoned.get(),
                    gateway.twilio.callbacksPosted(), faults.get(), failedTools.get(), wrong.size(), unexpected.size());
            System.out.println(figures);
            assertThat(unexpected).as(figures).isEmpty();
            assertThat(wrong).as(figures).isEmpty();
            assertThat(completed).as(figures).isPositive();
            assertThat(gateway.store.all().stream().filter(s -> s.state() == PaymentState.COMPLETED)
                    .map(s -> s.value(PaymentField.PAYMENT_CARD_NUMBER))).as(figures).containsOnly("xxxxxxxxxxxx1111");
        }
    }

    /** One whole payment on a new call, steered like a model would steer it through Twilio's failures. */
    private void pay(GatewayFixture gateway) {
        String callSid = String.format("CA%028x%04x", calls.incrementAndGet(), 0x50a1);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (random.nextBoolean()) {
            gateway.twilio.redeliverCallbacks(callSid, 2 + random.nextInt(2));
        }
        String paymentSid = start(gateway, callSid);
        if (paymentSid == null) {
            abandoned.incrementAndGet();
            return;
        }
        Map<String, Object> session = Map.of("callSid", callSid, "paymentSid", paymentSid);
        for (int i = 0; i < CAPTURES.size(); i++) {
            CaptureField field = FIELDS.get(i);
            if (!steer(gateway, CAPTURES.get(i), session, () -> captured(gateway, paymentSid, field))) {
                abandoned.incrementAndGet();
                return;
            }
        }
        if (!steer(gateway, "completePaymentCapture", session, () -> gateway.store.find(paymentSid)
                .map(s -> s.state() == PaymentState.COMPLETED).orElse(false))) {
            abandoned.incrementAndGet();
        }
    }

    private String start(GatewayFixture gateway, String callSid) {
        for (int attempt = 0; attempt < 8; attempt++) {
            CallToolResult result = call(gateway, "startPaymentCapture", Map.of("callSid", callSid, "chargeAmount", "5.00"));
            if (!Boolean.TRUE.equals(result.isError())) {
                return GatewayFixture.body(result).path("paymentSid").asText();
            }
            // Twilio may have opened the session although its answer was lost: its first callback says so.
            try {
                await().pollInterval(Duration.ofMillis(10)).atMost(Duration.ofSeconds(2)).until(() -> known(gateway, callSid).isPresent());
                return known(gateway, callSid).orElseThrow();
            } catch (ConditionTimeoutException e) {
                // not opened: ask again
            }
        }
        return null;
    }

    private static Optional<String> known(GatewayFixture gateway, String callSid) {
        return gateway.store.all().stream().filter(s -> callSid.equals(s.callSid())).map(PaymentStatus::paymentSid).findFirst();
    }

    /** Calls {@code tool} until {@code done} holds, as a model retries a step that failed for Twilio's sake. */
    private boolean steer(GatewayFixture gateway, String tool, Map<String, Object> session, Callable<Boolean> done) {
        for (int attempt = 0; attempt < 8; attempt++) {
            call(gateway, tool, session);
            try {
                await().pollInterval(Duration.ofMillis(10)).atMost(Duration.ofSeconds(3)).until(done);
                return true;
            } catch (ConditionTimeoutException e) {
                // the request never reached the caller: ask again
            }
        }
        return false;
    }

    /** Calls a tool with, now and then, a fault injected for whichever request reaches Twilio next. */
    private CallToolResult call(GatewayFixture gateway, String tool, Map<String, Object> args) {
        int dice = ThreadLocalRandom.current().nextInt(100);
        if (dice < 10) {
            gateway.twilio.inject(Fault.delay(TIMEOUT.toMillis() / 3)); // slow, answered in time
        } else if (dice < 15) {
            gateway.twilio.inject(Fault.delay(TIMEOUT.toMillis() * 3 / 2)); // one lost answer, retried with the same key
        } else if (dice < 18) {
            Fault lost = Fault.delay(TIMEOUT.toMillis() * 3 / 2); // applied, but every answer lost
            gateway.twilio.inject(lost, lost, lost, lost);
        } else if (dice < 21) {
            gateway.twilio.inject(Fault.status(503, 20503, "Service Unavailable"));
        }
        if (dice < 21) {
            faults.incrementAndGet();
        }
        CallToolResult result = gateway.call(tool, args);
        if (Boolean.TRUE.equals(result.isError())) {
            JsonNode body = GatewayFixture.body(result);
            String error = body.path("error").asText();
            if (RETRIED.contains(error) || error.equals("invalid-for-session") || error.equals("session-open")) {
                failedTools.incrementAndGet();
            } else {
                unexpected.add(tool + ": " + body);
            }
        }
        return result;
    }

    private static boolean captured(GatewayFixture gateway, String paymentSid, CaptureField field) {
        return gateway.store.find(paymentSid).map(s -> s.capture() == field && !s.partialResult()
                && s.required() != null && !s.required().contains(field)).orElse(false);
    }

    /** Every session Twilio holds whose state in the server differs from Twilio's, described. */
    private static List<String> wrong(GatewayFixture gateway) {
        List<String> wrong = new ArrayList<>();
        for (PaySimulator.SessionState twilio : gateway.twilio.sessionStates()) {
            PaymentStatus ours = gateway.store.find(twilio.paymentSid()).orElse(null);
            String expected = twilio.ending() == null ? null : switch (twilio.ending()) {
                case "success" -> "completed";
                case "cancel" -> "cancelled";
                default -> "failed";
            };
            boolean same = ours != null && (expected != null ? ours.state().wire().equals(expected)
                    : !ours.state().terminal() && twilio.required().equals(ours.required()));
            if (!same) {
                wrong.add(twilio + " but the server has " + (ours == null ? "nothing" : ours.toView()));
            }
        }
        return wrong;
    }
}
