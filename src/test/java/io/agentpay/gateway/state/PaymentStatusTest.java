package io.agentpay.gateway.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PaymentStatusTest {
    static final String PK = "PK00112233445566778899aabbccddeeff";
    static final String CA = "CAfedcba9876543210fedcba9876543210";
    static final Instant T0 = Instant.parse("2026-11-24T15:04:05.123Z");

    private final PaymentStore store = new PaymentStore(Duration.ofHours(1));

    static PaymentUpdate callback(int secondsAfter, CaptureField capture, List<CaptureField> required, Boolean partial,
                                  String errorType, Map<PaymentField, String> values, String token) {
        return new PaymentUpdate(PK, CA, T0.plusSeconds(secondsAfter), token, values, capture, required, partial, errorType,
                PaymentUpdate.Request.NONE);
    }

    static Map<PaymentField, String> values(Object... pairs) {
        Map<PaymentField, String> map = new EnumMap<>(PaymentField.class);
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((PaymentField) pairs[i], (String) pairs[i + 1]);
        }
        return map;
    }

    private PaymentStatus status() {
        return store.find(PK).orElseThrow();
    }

    private void start() {
        store.apply(PaymentUpdate.created(PK, CA, values(PaymentField.PAYMENT_METHOD, "credit-card"),
                List.of(CaptureField.PAYMENT_CARD_NUMBER, CaptureField.SECURITY_CODE, CaptureField.EXPIRATION_DATE)));
    }

    @Test
    void aNewSessionAsksForTheCardNumberFirst() {
        start();
        assertThat(status().state()).isEqualTo(PaymentState.STARTED);
        assertThat(NextAction.describe(status())).contains("captureCardNumber");
    }

    @Test
    void aFullCaptureSequenceEndsReadyToCompleteThenCompleted() {
        start();
        store.apply(PaymentUpdate.captureRequested(PK, CA, CaptureField.PAYMENT_CARD_NUMBER));
        store.apply(callback(7, CaptureField.PAYMENT_CARD_NUMBER, List.of(CaptureField.PAYMENT_CARD_NUMBER,
                CaptureField.SECURITY_CODE, CaptureField.EXPIRATION_DATE), true, null,
                values(PaymentField.PAYMENT_CARD_NUMBER, "xxxxxxxx"), "t1"));
        assertThat(status().state()).isEqualTo(PaymentState.CAPTURING);
        store.apply(callback(15, CaptureField.PAYMENT_CARD_NUMBER, List.of(CaptureField.SECURITY_CODE,
                CaptureField.EXPIRATION_DATE), false, null,
                values(PaymentField.PAYMENT_CARD_NUMBER, "xxxxxxxxxxxx1111", PaymentField.PAYMENT_CARD_TYPE, "visa"), "t2"));
        assertThat(status().state()).isEqualTo(PaymentState.FIELD_COMPLETE);
        assertThat(NextAction.describe(status())).contains("captureSecurityCode");
        store.apply(callback(25, CaptureField.SECURITY_CODE, List.of(CaptureField.EXPIRATION_DATE), false, null,
                values(PaymentField.SECURITY_CODE, "xxx"), "t3"));
        store.apply(callback(35, CaptureField.EXPIRATION_DATE, List.of(), false, null,
                values(PaymentField.EXPIRATION_DATE, "1228"), "t4"));
        assertThat(status().state()).isEqualTo(PaymentState.READY_TO_COMPLETE);
        assertThat(NextAction.describe(status())).contains("completePaymentCapture");
        store.apply(PaymentUpdate.completeRequested(PK, CA));
        store.apply(callback(45, null, null, null, null, values(PaymentField.RESULT, "success",
                PaymentField.PAYMENT_TOKEN, "tok_1", PaymentField.PAYMENT_CARD_NUMBER, "xxxxxxxxxxxx1111"), "t5"));
        assertThat(status().state()).isEqualTo(PaymentState.COMPLETED);
        assertThat(status().value(PaymentField.PAYMENT_TOKEN)).isEqualTo("tok_1");
    }

    @Test
    void aRejectedFieldAsksForARecaptureAndARecaptureClearsTheError() {
        start();
        store.apply(callback(10, CaptureField.PAYMENT_CARD_NUMBER, List.of(CaptureField.PAYMENT_CARD_NUMBER,
                CaptureField.SECURITY_CODE, CaptureField.EXPIRATION_DATE), false, "invalid-card-number", Map.of(), "t1"));
        assertThat(status().errorType()).isEqualTo("invalid-card-number");
        assertThat(NextAction.describe(status())).contains("captureCardNumber").contains("again");
        store.apply(PaymentUpdate.captureRequested(PK, CA, CaptureField.PAYMENT_CARD_NUMBER));
        assertThat(status().errorType()).isNull();
        assertThat(status().state()).isEqualTo(PaymentState.CAPTURING);
    }

    @Test
    void aLatePartialResultNeverRegressesAnAcceptedField() {
        start();
        store.apply(callback(15, CaptureField.PAYMENT_CARD_NUMBER, List.of(CaptureField.SECURITY_CODE), false, null,
                values(PaymentField.PAYMENT_CARD_NUMBER, "xxxxxxxxxxxx1111"), "final"));
        store.apply(callback(7, CaptureField.PAYMENT_CARD_NUMBER, List.of(CaptureField.PAYMENT_CARD_NUMBER,
                CaptureField.SECURITY_CODE), true, null, values(PaymentField.PAYMENT_CARD_NUMBER, "xxxxxxxx"), "partial"));
        assertThat(status().partialResult()).isFalse();
        assertThat(status().required()).containsExactly(CaptureField.SECURITY_CODE);
        assertThat(status().value(PaymentField.PAYMENT_CARD_NUMBER)).isEqualTo("xxxxxxxxxxxx1111");
    }

    @Test
    void aDuplicateDeliveryChangesNothing() {
        start();
        PaymentUpdate first = callback(15, CaptureField.PAYMENT_CARD_NUMBER, List.of(CaptureField.SECURITY_CODE), false,
                null, Map.of(), "same-token");
        assertThat(store.apply(first)).isPresent();
        store.apply(callback(20, CaptureField.SECURITY_CODE, List.of(), false, null, Map.of(), "other"));
        assertThat(store.apply(first)).isEmpty();
        assertThat(status().capture()).isEqualTo(CaptureField.SECURITY_CODE);
    }

    @Test
    void nothingMovesAfterTheFinalResult() {
        start();
        store.apply(callback(45, null, null, null, null, values(PaymentField.RESULT, "success"), "done"));
        store.apply(callback(50, CaptureField.PAYMENT_CARD_NUMBER, List.of(CaptureField.PAYMENT_CARD_NUMBER), true, null,
                Map.of(), "late"));
        store.apply(callback(55, null, null, null, null, values(PaymentField.RESULT, "payment-connector-error"), "late2"));
        assertThat(status().state()).isEqualTo(PaymentState.COMPLETED);
        assertThat(status().value(PaymentField.RESULT)).isEqualTo("success");
    }

    @Test
    void recapturingAnAcceptedFieldPutsItBackInRequired() {
        start();
        store.apply(callback(15, CaptureField.PAYMENT_CARD_NUMBER, List.of(), false, null, Map.of(), "t"));
        store.apply(PaymentUpdate.captureRequested(PK, CA, CaptureField.PAYMENT_CARD_NUMBER));
        assertThat(status().required()).contains(CaptureField.PAYMENT_CARD_NUMBER);
        assertThat(status().state()).isNotEqualTo(PaymentState.READY_TO_COMPLETE);
    }

    @Test
    void cancelIsFinal() {
        start();
        store.apply(PaymentUpdate.cancelRequested(PK, CA));
        assertThat(status().state()).isEqualTo(PaymentState.CANCELLED);
        assertThat(NextAction.describe(status())).contains("startPaymentCapture");
    }

    @Test
    void idleSessionsAreEvictedAfterTheirTimeToLive() {
        MutableClock clock = new MutableClock(T0);
        PaymentStore shortLived = new PaymentStore(Duration.ofMinutes(30), 10, clock);
        shortLived.apply(PaymentUpdate.created(PK, CA, Map.of(), List.of()));
        clock.advance(Duration.ofMinutes(29));
        assertThat(shortLived.evictExpired()).isZero();
        clock.advance(Duration.ofMinutes(2));
        assertThat(shortLived.evictExpired()).isEqualTo(1);
        assertThat(shortLived.find(PK)).isEmpty();
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends java.time.Clock {
        private Instant now;

        MutableClock(Instant now) { this.now = now; }

        void advance(Duration d) { now = now.plus(d); }

        @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }

        @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }

        @Override public Instant instant() { return now; }
    }
}
