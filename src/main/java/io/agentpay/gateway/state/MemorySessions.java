package io.agentpay.gateway.state;

import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/** Sessions in this process's memory: one instance, lost on restart; the default. */
public final class MemorySessions implements SessionBackend {
    private final ConcurrentHashMap<String, PaymentStatus> payments = new ConcurrentHashMap<>();
    private BiConsumer<PaymentStatus, Consumer<PaymentStatus>> announced = (status, onStored) -> { };

    @Override
    public void deliverTo(BiConsumer<PaymentStatus, Consumer<PaymentStatus>> announced) {
        this.announced = announced;
    }

    @Override
    public Optional<PaymentStatus> get(String paymentSid) {
        return Optional.ofNullable(payments.get(paymentSid));
    }

    @Override
    public Collection<PaymentStatus> values() {
        return payments.values();
    }

    @Override
    public int size() {
        return payments.size();
    }

    @Override
    public Optional<Merge> merge(String paymentSid, Function<PaymentStatus, Merge> merge, Consumer<PaymentStatus> onStored) {
        Merge[] result = new Merge[1];
        payments.compute(paymentSid, (sid, current) -> {
            Merge m = merge.apply(current);
            result[0] = m;
            if (m.announce()) {
                // Inside compute, so one session's changes are handed on in the order they were stored.
                announced.accept(m.stored(), onStored);
            }
            return m.stored();
        });
        return Optional.ofNullable(result[0]);
    }

    @Override
    public boolean removeIfAt(String paymentSid, long version) {
        boolean[] removed = new boolean[1];
        payments.computeIfPresent(paymentSid, (sid, current) -> {
            removed[0] = current.version() == version;
            return removed[0] ? null : current;
        });
        return removed[0];
    }

    @Override
    public int removeUpdatedBefore(Instant cutoff) {
        int before = payments.size();
        payments.values().removeIf(status -> status.updatedAt().isBefore(cutoff));
        return before - payments.size();
    }
}
