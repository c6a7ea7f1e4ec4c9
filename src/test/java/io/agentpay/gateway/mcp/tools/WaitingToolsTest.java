package io.agentpay.gateway.mcp.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.PaymentUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tools that wait for the caller: they return when a change needs the agent, and at the deadline
 * they say the caller is still keying and name the getPaymentStatus call that keeps waiting. The
 * simulated caller here keys nothing for half an hour; the tests post the changes themselves.
 */
class WaitingToolsTest {
    static final String CALL = "CAfedcba9876543210fedcba9876543210";

    GatewayFixture gateway;
    String paymentSid;
    Map<String, Object> session;

    @BeforeEach
    void start() throws Exception {
        gateway = new GatewayFixture(Duration.ofMinutes(30), Duration.ofSeconds(2));
        paymentSid = GatewayFixture.body(gateway.call("startPaymentCapture", Map.of("callSid", CALL))).path("paymentSid").asText();
        session = Map.of("callSid", CALL, "paymentSid", paymentSid);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private void callback(CaptureField capture, List<CaptureField> required, boolean partial, String errorType) {
        gateway.store.apply(new PaymentUpdate(paymentSid, CALL, Instant.now(), null, null, capture, required, partial,
                errorType, PaymentUpdate.Request.NONE));
    }

    @Test
    void atTheDeadlineTheResultSaysTheCallerIsStillKeyingAndNamesTheWaitingCall() {
        JsonNode result = GatewayFixture.body(gateway.call("captureCardNumber",
                Map.of("callSid", CALL, "paymentSid", paymentSid, "waitSeconds", 1)));
        assertThat(result.path("state").asText()).isEqualTo("capturing");
        assertThat(result.path("outcome").asText()).isEqualTo("caller-keying");
        assertThat(result.path("nextAction").asText())
                .contains("still keying the card number")
                .contains("call getPaymentStatus (callSid=" + CALL + ", paymentSid=" + paymentSid + ", waitSeconds=25)")
                .contains("Do not call captureCardNumber again")
                .doesNotContainPattern("(?i)call captureCardNumber \\(");
    }

    @Test
    void getPaymentStatusReturnsAsSoonAsTheFieldIsCaptured() {
        gateway.call("captureCardNumber", Map.of("callSid", CALL, "paymentSid", paymentSid, "waitSeconds", 0));
        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(() -> GatewayFixture.body(
                gateway.call("getPaymentStatus", Map.of("callSid", CALL, "paymentSid", paymentSid, "waitSeconds", 50))));
        callback(CaptureField.PAYMENT_CARD_NUMBER, null, true, null);
        assertThat(waiting).isNotDone();
        callback(CaptureField.PAYMENT_CARD_NUMBER, List.of(CaptureField.SECURITY_CODE, CaptureField.EXPIRATION_DATE), false, null);
        await().atMost(Duration.ofSeconds(20)).until(waiting::isDone);
        JsonNode result = waiting.join();
        assertThat(result.path("outcome").asText()).isEqualTo("captured");
        assertThat(result.path("nextAction").asText()).contains("call captureSecurityCode (callSid=" + CALL);
    }

    @Test
    void aRefusedFieldEndsTheWaitWithItsErrorType() {
        gateway.call("captureCardNumber", Map.of("callSid", CALL, "paymentSid", paymentSid, "waitSeconds", 0));
        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(() -> GatewayFixture.body(
                gateway.call("getPaymentStatus", Map.of("callSid", CALL, "paymentSid", paymentSid, "waitSeconds", 50))));
        callback(CaptureField.PAYMENT_CARD_NUMBER, null, false, "invalid-card-number");
        await().atMost(Duration.ofSeconds(20)).until(waiting::isDone);
        assertThat(waiting.join().path("outcome").asText()).isEqualTo("refused");
        assertThat(waiting.join().path("errorType").asText()).isEqualTo("invalid-card-number");
    }

    @Test
    void getPaymentStatusWithoutWaitingAnswersAtOnceAndRefusesAnUnknownPayment() {
        JsonNode now = GatewayFixture.body(gateway.call("getPaymentStatus", session));
        assertThat(now.path("state").asText()).isEqualTo("started");
        assertThat(now.path("nextAction").asText()).contains("call captureCardNumber (callSid=" + CALL);
        JsonNode unknown = GatewayFixture.body(gateway.call("getPaymentStatus",
                Map.of("callSid", CALL, "paymentSid", "PK0123456789abcdef0123456789abcdef")));
        assertThat(unknown.path("error").asText()).isEqualTo("unknown-payment");
        assertThat(unknown.path("nextStep").asText()).contains("startPaymentCapture");
    }
}
