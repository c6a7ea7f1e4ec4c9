package io.agentpay.gateway.bench;

import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.PaymentField;
import io.agentpay.gateway.state.PaymentStore;
import io.agentpay.gateway.state.PaymentUpdate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Memory per live payment session: fills a store with N completed-looking sessions (created, three
 * captured fields, an outcome), measures the heap they hold, then lets their time to live pass and
 * evicts them. Run with bench/session-memory.sh; prints bytes per session and what eviction freed.
 */
public final class SessionMemory {
    private SessionMemory() {}

    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-11-24T12:00:00Z");

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }

        @Override public Clock withZone(ZoneId zone) { return this; }

        @Override public Instant instant() { return now; }

        void advance(Duration d) { now = now.plus(d); }
    }

    public static void main(String[] args) {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        ManualClock clock = new ManualClock();
        PaymentStore store = new PaymentStore(Duration.ofHours(1), 250_000, clock);
        long before = usedHeap();
        Instant t = Instant.parse("2026-11-24T12:00:00Z");
        for (int i = 0; i < sessions; i++) {
            String pk = String.format("PK%032x", i);
            String ca = String.format("CA%032x", i);
            Map<PaymentField, String> created = new EnumMap<>(PaymentField.class);
            created.put(PaymentField.PAYMENT_METHOD, "credit-card");
            created.put(PaymentField.CHARGE_AMOUNT, "25.00");
            created.put(PaymentField.CURRENCY, "USD");
            created.put(PaymentField.PAYMENT_CONNECTOR, "Default");
            store.apply(PaymentUpdate.created(pk, ca, created, List.of(CaptureField.PAYMENT_CARD_NUMBER,
                    CaptureField.SECURITY_CODE, CaptureField.EXPIRATION_DATE)));
            Map<PaymentField, String> card = new EnumMap<>(PaymentField.class);
            card.put(PaymentField.PAYMENT_CARD_NUMBER, "xxxxxxxxxxxx1111");
            card.put(PaymentField.PAYMENT_CARD_TYPE, "visa");
            card.put(PaymentField.SECURITY_CODE, "xxx");
            card.put(PaymentField.EXPIRATION_DATE, "1229");
            store.apply(new PaymentUpdate(pk, ca, t.plusSeconds(10), "tok-" + i, card, CaptureField.EXPIRATION_DATE, List.of(),
                    false, null, PaymentUpdate.Request.NONE));
            Map<PaymentField, String> outcome = new EnumMap<>(PaymentField.class);
            outcome.put(PaymentField.RESULT, "success");
            outcome.put(PaymentField.PAYMENT_CONFIRMATION_CODE, "ch_a9dc6297cd1a4fb095e61b1a9cf2dd1d");
            store.apply(new PaymentUpdate(pk, ca, t.plusSeconds(20), "out-" + i, outcome, null, null, null, null,
                    PaymentUpdate.Request.NONE));
        }
        long filled = usedHeap();
        clock.advance(Duration.ofMinutes(61));
        int evicted = store.evictExpired();
        long after = usedHeap();
        System.out.printf("sessions=%d heap_before=%d KiB heap_filled=%d KiB bytes_per_session=%d evicted=%d heap_after_eviction=%d KiB max_heap=%d MiB%n",
                sessions, before / 1024, filled / 1024, (filled - before) / sessions, evicted, after / 1024,
                Runtime.getRuntime().maxMemory() / 1024 / 1024);
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
