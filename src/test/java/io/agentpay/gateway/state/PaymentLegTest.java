package io.agentpay.gateway.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A payment keeps the leg it was opened on, though Twilio's callbacks name the parent leg of a two-leg call. */
class PaymentLegTest {
    static final String PK = "PK00112233445566778899aabbccddeeff";
    static final String PARENT = "CA000000000000000000000000000a0008";
    static final String CHILD = "CA000000000000000000000000000aa008";

    @Test
    void theCreateNamesTheLegEvenWhenACallbackNamingTheParentCameFirst() {
        PaymentStore store = new PaymentStore(Duration.ofHours(1));
        store.apply(new PaymentUpdate(PK, PARENT, Instant.parse("2026-11-24T15:04:05.123Z"), "t-1",
                Map.of(PaymentField.PAYMENT_METHOD, "credit-card"), null, null, null, null, PaymentUpdate.Request.NONE));
        store.apply(PaymentUpdate.created(PK, CHILD, Map.of(PaymentField.PAYMENT_METHOD, "credit-card"),
                List.of(CaptureField.PAYMENT_CARD_NUMBER)));
        store.apply(new PaymentUpdate(PK, PARENT, Instant.parse("2026-11-24T15:04:06.123Z"), "t-2", Map.of(),
                CaptureField.PAYMENT_CARD_NUMBER, List.of(), false, null, PaymentUpdate.Request.NONE));
        assertThat(store.find(PK).orElseThrow().callSid()).isEqualTo(CHILD);
        assertThat(store.find(PK).orElseThrow().statusUri()).contains(CHILD);
    }
}
