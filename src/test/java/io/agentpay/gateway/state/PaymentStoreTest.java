package io.agentpay.gateway.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** The store's promises to the code around it: listeners cannot break a merge, and a failed request undoes only its own change. */
class PaymentStoreTest {
    static final String PK = PaymentStatusTest.PK;
    static final String CA = PaymentStatusTest.CA;

    private final PaymentStore store = new PaymentStore(Duration.ofHours(1));

    private static PaymentUpdate created() {
        return PaymentUpdate.created(PK, CA, Map.of(), List.of(CaptureField.PAYMENT_CARD_NUMBER, CaptureField.EXPIRATION_DATE));
    }

    private static PaymentUpdate cardKeyed(int secondsAfter) {
        return PaymentStatusTest.callback(secondsAfter, CaptureField.PAYMENT_CARD_NUMBER, List.of(CaptureField.EXPIRATION_DATE),
                false, null, PaymentStatusTest.values(PaymentField.PAYMENT_CARD_NUMBER, "xxxxxxxxxxxx1111"), "t" + secondsAfter);
    }

    @Test
    void aListenerThatThrowsNeitherAbortsTheMergeNorSilencesTheOthers() {
        List<PaymentStatus> heard = new CopyOnWriteArrayList<>();
        store.onChange(s -> {
            throw new RejectedExecutionException("notifier is shut down");
        });
        store.onChange(heard::add);

        assertThat(store.apply(created())).isPresent();
        assertThat(store.apply(cardKeyed(10))).isPresent();

        assertThat(store.find(PK).orElseThrow().value(PaymentField.PAYMENT_CARD_NUMBER)).isEqualTo("xxxxxxxxxxxx1111");
        assertThat(heard).hasSize(2);
    }

    @Test
    void anUpdatesOwnListenerHearsItsChangeAfterTheStoresListeners() {
        List<String> heard = new CopyOnWriteArrayList<>();
        store.onChange(s -> heard.add("store " + s.version()));
        store.apply(created(), s -> heard.add("own " + s.version()));
        store.apply(cardKeyed(10));
        store.apply(cardKeyed(10), s -> heard.add("own again"));
        assertThat(heard).containsExactly("store 1", "own 1", "store 2");
    }

    @Test
    void aListenerToldOfAChangeFindsItInTheStore() {
        // A subscribed client is told "updated" and then reads the session: what it reads must be that change or a
        // later one, never the state before it (it would end on a stale state: no further update is coming).
        List<String> seenByReaders = new CopyOnWriteArrayList<>();
        store.onChange(s -> seenByReaders.add(s.version() + " read " + store.find(PK).map(PaymentStatus::version).orElse(0L)));
        store.apply(created());
        store.apply(cardKeyed(10));

        assertThat(seenByReaders).containsExactly("1 read 1", "2 read 2");
    }

    @Test
    void updatedAtNeverGoesBackwardsEvenWhenTheClockDoes() {
        // Two merges of one session racing: the one that read the clock first may be stored second. Stored in that
        // order, the newer state must not carry the older time (subscribers order what they read by updatedAt).
        Instant t = Instant.parse("2026-12-01T12:00:00.000002Z");
        java.util.Deque<Instant> readings = new java.util.ArrayDeque<>(List.of(t, t.plusSeconds(5), t.plusSeconds(2)));
        java.time.Clock backwards = new java.time.Clock() {
            @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
            @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return readings.size() > 1 ? readings.poll() : readings.peek(); }
        };
        PaymentStore clocked = new PaymentStore(Duration.ofHours(1), 100, backwards);
        clocked.apply(created());
        PaymentStatus keyed = clocked.apply(cardKeyed(10)).orElseThrow();
        PaymentStatus later = clocked.apply(PaymentUpdate.captureRequested(PK, CA, CaptureField.EXPIRATION_DATE)).orElseThrow();

        assertThat(keyed.updatedAt()).isEqualTo(t.plusSeconds(5));
        assertThat(later.version()).isGreaterThan(keyed.version());
        assertThat(later.updatedAt()).isEqualTo(t.plusSeconds(5));
    }

    @Test
    void aFailedRequestUndoesItsOwnChangeWhenNothingCameSince() {
        store.apply(created());
        PaymentStatus before = store.find(PK).orElseThrow();
        PaymentStatus mine = store.apply(PaymentUpdate.captureRequested(PK, CA, CaptureField.PAYMENT_CARD_NUMBER)).orElseThrow();

        assertThat(store.applyIfStillAt(PaymentUpdate.restore(before), mine.version())).isPresent();
        assertThat(store.find(PK).orElseThrow().state()).isEqualTo(PaymentState.STARTED);
    }

    @Test
    void aFailedRequestNeverRollsBackACallbackMergedAfterIt() {
        store.apply(created());
        PaymentStatus before = store.find(PK).orElseThrow();
        PaymentStatus mine = store.apply(PaymentUpdate.captureRequested(PK, CA, CaptureField.PAYMENT_CARD_NUMBER)).orElseThrow();
        store.apply(cardKeyed(10));

        assertThat(store.applyIfStillAt(PaymentUpdate.restore(before), mine.version())).isEmpty();
        PaymentStatus now = store.find(PK).orElseThrow();
        assertThat(now.state()).isEqualTo(PaymentState.FIELD_COMPLETE);
        assertThat(now.required()).containsExactly(CaptureField.EXPIRATION_DATE);
    }

    @Test
    void aSessionCallbacksTouchedIsNeverEvictedForAFailedRequest() {
        PaymentStatus mine = store.apply(PaymentUpdate.captureRequested(PK, CA, CaptureField.PAYMENT_CARD_NUMBER)).orElseThrow();
        store.apply(cardKeyed(10));
        assertThat(store.evictIfStillAt(PK, mine.version())).isFalse();
        assertThat(store.find(PK)).isPresent();

        String other = "PK" + "0".repeat(31) + "1";
        PaymentStatus alone = store.apply(PaymentUpdate.captureRequested(other, CA, CaptureField.PAYMENT_CARD_NUMBER)).orElseThrow();
        assertThat(store.evictIfStillAt(other, alone.version())).isTrue();
        assertThat(store.find(other)).isEmpty();
    }

    @Test
    void everyStoredChangeRaisesTheVersion() {
        long v1 = store.apply(created()).orElseThrow().version();
        long v2 = store.apply(cardKeyed(10)).orElseThrow().version();
        store.apply(cardKeyed(10)); // a redelivery: nothing changes
        assertThat(v2).isGreaterThan(v1);
        assertThat(store.find(PK).orElseThrow().version()).isEqualTo(v2);
        assertThat(PaymentStatus.empty(PK, CA, Instant.EPOCH).version()).isZero();
    }
}
