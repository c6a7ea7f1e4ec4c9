package io.agentpay.gateway.callback;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpay.gateway.state.PaymentState;
import io.agentpay.gateway.state.PaymentStatus;
import io.agentpay.gateway.state.PaymentStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Callback dates in both of Twilio's formats keep callbacks in order, whichever arrives first. */
class CallbackDatesTest {
    static final String PK = "PK00112233445566778899aabbccddeeff";
    static final String CA = "CAfedcba9876543210fedcba9876543210";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2026-11-24T15:04:05Z|2026-11-24T15:04:05Z",
            "2026-11-24T15:04:05.123Z|2026-11-24T15:04:05.123Z",
            "2026-11-24T16:04:05.123+01:00|2026-11-24T15:04:05.123Z",
            "2026-11-24T15:04:05.123456Z|2026-11-24T15:04:05.123456Z",
            "Tue, 24 Nov 2026 15:04:05 +0000|2026-11-24T15:04:05Z",
            "Tue, 24 Nov 2026 10:04:05 -0500|2026-11-24T15:04:05Z",
            "Tue, 1 Dec 2026 15:04:05 GMT|2026-12-01T15:04:05Z",
            "24 Nov 2026 15:04:05 +0000|2026-11-24T15:04:05Z"})
    void readsIso8601AndRfc2822(String text, String expected) {
        assertThat(CallbackParser.time(text)).isEqualTo(Instant.parse(expected));
    }

    @Test
    void somethingElseIsNoDate() {
        assertThat(CallbackParser.time("yesterday")).isNull();
        assertThat(CallbackParser.time("Tue, 24 Nov 2026")).isNull();
    }

    private static Map<String, String> progress(String date, String partial, String required) {
        Map<String, String> f = new HashMap<>();
        f.put("Sid", PK);
        f.put("CallSid", CA);
        f.put("DateCreated", "Tue, 24 Nov 2026 15:04:00 +0000");
        f.put("DateUpdated", date);
        f.put("Capture", "payment-card-number");
        f.put("Required", required);
        f.put("PartialResult", partial);
        f.put("PaymentCardNumber", partial.equals("true") ? "xxxxxxxx" : "xxxxxxxxxxxx1111");
        return f;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Tue, 24 Nov 2026 15:04:12 +0000|Tue, 24 Nov 2026 15:04:12 +0000",
            "Tue, 24 Nov 2026 15:04:11 +0000|Tue, 24 Nov 2026 15:04:12 +0000",
            "2026-11-24T15:04:12.400Z|2026-11-24T15:04:12.910Z"})
    void aPartialResultArrivingAfterTheFinalOneNeverUndoesIt(String partialDate, String finalDate) {
        PaymentStore store = new PaymentStore(Duration.ofHours(1));
        store.apply(CallbackParser.parse(progress(finalDate, "false", "security-code,expiration-date")::get, "t-final"));
        store.apply(CallbackParser.parse(progress(partialDate, "true",
                "payment-card-number,security-code,expiration-date")::get, "t-partial"));
        PaymentStatus status = store.find(PK).orElseThrow();
        assertThat(status.state()).isEqualTo(PaymentState.FIELD_COMPLETE);
        assertThat(status.required()).extracting(f -> f.wire()).containsExactly("security-code", "expiration-date");
        assertThat(status.value(io.agentpay.gateway.state.PaymentField.PAYMENT_CARD_NUMBER)).isEqualTo("xxxxxxxxxxxx1111");
    }

    @Test
    void aWholeSecondDateIsNotOlderThanAMillisecondDateWithinTheSameSecond() {
        PaymentStore store = new PaymentStore(Duration.ofHours(1));
        store.apply(CallbackParser.parse(progress("2026-11-24T15:04:12.400Z", "true",
                "payment-card-number,security-code,expiration-date")::get, "t-1"));
        store.apply(CallbackParser.parse(progress("Tue, 24 Nov 2026 15:04:12 +0000", "false", "security-code,expiration-date")::get, "t-2"));
        assertThat(store.find(PK).orElseThrow().state()).isEqualTo(PaymentState.FIELD_COMPLETE);
    }
}
