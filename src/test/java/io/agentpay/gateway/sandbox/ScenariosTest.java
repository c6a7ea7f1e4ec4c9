package io.agentpay.gateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.state.NextAction;
import io.agentpay.gateway.state.PaymentField;
import io.agentpay.gateway.state.PaymentState;
import io.agentpay.gateway.state.PaymentStatus;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each sandbox scenario leaves the state and the nextAction a model needs to handle that caller. */
class ScenariosTest {
    private GatewayFixture gateway;

    @BeforeEach
    void start() throws Exception {
        gateway = new GatewayFixture(Duration.ofMillis(10), Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private String callSid(Scenario scenario) {
        return scenario.callSid("feedfacefeedfacefeedfacefeed");
    }

    private String startOn(String callSid) {
        CallToolResult result = gateway.call("startPaymentCapture", Map.of("callSid", callSid));
        assertThat(result.isError()).as(GatewayFixture.body(result).toString()).isFalse();
        return GatewayFixture.body(result).path("paymentSid").asText();
    }

    private PaymentStatus capture(String tool, String callSid, String paymentSid, Predicate<PaymentStatus> done) {
        assertThat(gateway.call(tool, Map.of("callSid", callSid, "paymentSid", paymentSid)).isError()).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> done.test(gateway.store.find(paymentSid).orElseThrow()));
        return gateway.store.find(paymentSid).orElseThrow();
    }

    private static boolean settled(PaymentStatus s) {
        return s.errorType() != null || s.state() != PaymentState.CAPTURING;
    }

    @Test
    void aMistypedCardNumberAsksForItAgainThenSucceeds() {
        String call = callSid(Scenario.INVALID_CARD);
        String payment = startOn(call);
        PaymentStatus rejected = capture("captureCardNumber", call, payment, ScenariosTest::settled);
        assertThat(rejected.errorType()).isEqualTo("invalid-card-number");
        assertThat(NextAction.describe(rejected)).contains("without blame").contains("captureCardNumber").contains("again");
        PaymentStatus accepted = capture("captureCardNumber", call, payment, ScenariosTest::settled);
        assertThat(accepted.errorType()).isNull();
        assertThat(accepted.state()).isEqualTo(PaymentState.FIELD_COMPLETE);
        assertThat(NextAction.describe(accepted)).contains("captureSecurityCode");
    }

    @Test
    void anExpiredCardIsExplainedAsAnInvalidDate() {
        String call = callSid(Scenario.EXPIRED_CARD);
        String payment = startOn(call);
        capture("captureCardNumber", call, payment, ScenariosTest::settled);
        capture("captureSecurityCode", call, payment, ScenariosTest::settled);
        PaymentStatus expired = capture("captureExpirationDate", call, payment, ScenariosTest::settled);
        assertThat(expired.errorType()).isEqualTo("invalid-date");
        assertThat(NextAction.describe(expired)).contains("in the past").contains("captureExpirationDate");
    }

    @Test
    void aTimeoutAsksForTheSameFieldAgain() {
        String call = callSid(Scenario.TIMEOUT);
        String payment = startOn(call);
        capture("captureCardNumber", call, payment, ScenariosTest::settled);
        PaymentStatus timedOut = capture("captureSecurityCode", call, payment, ScenariosTest::settled);
        assertThat(timedOut.errorType()).isEqualTo("input-timeout");
        assertThat(NextAction.describe(timedOut)).contains("did not key anything in time").contains("captureSecurityCode");
    }

    @Test
    void aHangUpEndsThePayment() {
        String call = callSid(Scenario.HANG_UP);
        String payment = startOn(call);
        PaymentStatus ended = capture("captureCardNumber", call, payment, s -> s.state().terminal());
        assertThat(ended.state()).isEqualTo(PaymentState.FAILED);
        assertThat(ended.value(PaymentField.RESULT)).isEqualTo("caller-hung-up");
        assertThat(NextAction.describe(ended)).contains("call ended");
        JsonNode after = GatewayFixture.body(gateway.call("captureCardNumber", Map.of("callSid", call, "paymentSid", payment)));
        assertThat(after.path("error").asText()).isEqualTo("session-finished");
    }

    @Test
    void aDeclinedCardSuggestsAnotherCard() {
        PaymentStatus done = completeFlow(Scenario.DECLINED);
        assertThat(done.state()).isEqualTo(PaymentState.FAILED);
        assertThat(done.value(PaymentField.RESULT)).isEqualTo("payment-connector-error");
        assertThat(NextAction.describe(done)).contains("card is declined").contains("another card").contains("startPaymentCapture");
    }

    @Test
    void anAmexCardTakesAFourDigitCode() {
        PaymentStatus done = completeFlow(Scenario.AMEX);
        assertThat(done.state()).isEqualTo(PaymentState.COMPLETED);
        assertThat(done.value(PaymentField.PAYMENT_CARD_TYPE)).isEqualTo("amex");
        assertThat(done.value(PaymentField.PAYMENT_CARD_NUMBER)).isEqualTo("xxxxxxxxxxx0005");
        assertThat(done.value(PaymentField.SECURITY_CODE)).isEqualTo("xxxx");
    }

    @Test
    void theDefaultCallerPaysAtTheFirstAttempt() {
        PaymentStatus done = completeFlow(Scenario.DEFAULT);
        assertThat(done.state()).isEqualTo(PaymentState.COMPLETED);
        assertThat(done.value(PaymentField.PAYMENT_TOKEN)).startsWith("tok_sandbox_");
        assertThat(NextAction.describe(done)).contains("last four digits");
    }

    @Test
    void aCallThatHasEndedCannotStartAPayment() {
        CallToolResult result = gateway.call("startPaymentCapture", Map.of("callSid", callSid(Scenario.CALL_ENDED)));
        assertThat(result.isError()).isTrue();
        assertThat(GatewayFixture.body(result).path("error").asText()).isEqualTo("call-not-in-progress");
    }

    private PaymentStatus completeFlow(Scenario scenario) {
        String call = callSid(scenario);
        String payment = startOn(call);
        for (String tool : new String[] {"captureCardNumber", "captureSecurityCode", "captureExpirationDate"}) {
            capture(tool, call, payment, ScenariosTest::settled);
        }
        assertThat(gateway.call("completePaymentCapture", Map.of("callSid", call, "paymentSid", payment)).isError()).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.store.find(payment).orElseThrow().state().terminal());
        return gateway.store.find(payment).orElseThrow();
    }
}
