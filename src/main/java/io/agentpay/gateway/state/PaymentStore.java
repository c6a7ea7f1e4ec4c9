package io.agentpay.gateway.state;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Every payment session this server knows, keyed by payment SID. Updates merge atomically per
 * session; listeners hear about each change after it is stored; sessions idle for longer than
 * the time to live are evicted.
 */
public final class PaymentStore {
    private final ConcurrentHashMap<String, PaymentStatus> payments = new ConcurrentHashMap<>();
    private final List<Consumer<PaymentStatus>> listeners = new CopyOnWriteArrayList<>();
    private final Duration timeToLive;
    private final int capacity;
    private final Clock clock;

    public PaymentStore(Duration timeToLive, int capacity, Clock clock) {
        this.timeToLive = timeToLive;
        this.capacity = capacity;
        this.clock = clock;
    }

    public PaymentStore(Duration timeToLive) {
        this(timeToLive, 250_000, Clock.systemUTC());
    }

    public Optional<PaymentStatus> find(String paymentSid) {
        return paymentSid == null ? Optional.empty() : Optional.ofNullable(payments.get(paymentSid));
    }

    public Collection<PaymentStatus> all() {
        return payments.values();
    }

    public int size() {
        return payments.size();
    }

    /**
     * Calls {@code listener} with the new status after every change, in order per session. It runs
     * while the session is locked, so it must only hand the status on (to a queue), never block.
     */
    public void onChange(Consumer<PaymentStatus> listener) {
        listeners.add(listener);
    }

    /**
     * Merges {@code update} into its session, creating the session if it is new.
     *
     * @return the new status when something changed
     * @throws StoreFullException when a new session would exceed the capacity
     */
    public Optional<PaymentStatus> apply(PaymentUpdate update) {
        Instant now = clock.instant();
        if (!payments.containsKey(update.paymentSid()) && payments.size() >= capacity) {
            throw new StoreFullException(capacity);
        }
        PaymentStatus[] changed = new PaymentStatus[1];
        payments.compute(update.paymentSid(), (sid, current) -> {
            PaymentStatus base = current != null ? current : PaymentStatus.empty(sid, update.callSid(), now);
            PaymentStatus next = base.apply(update, now);
            if (current == null || !next.sameProgressAs(current)) {
                changed[0] = next;
                // Inside compute, so listeners of one session hear its changes in the order they were stored.
                for (Consumer<PaymentStatus> listener : listeners) {
                    listener.accept(next);
                }
            }
            return next;
        });
        return Optional.ofNullable(changed[0]);
    }

    /** Forgets one session (a capture on a payment this server never saw, refused by Twilio). */
    public void evict(String paymentSid) {
        payments.remove(paymentSid);
    }

    /** Removes sessions not updated within the time to live; returns how many went. */
    public int evictExpired() {
        Instant cutoff = clock.instant().minus(timeToLive);
        int before = payments.size();
        payments.values().removeIf(status -> status.updatedAt().isBefore(cutoff));
        return before - payments.size();
    }

    public Duration timeToLive() {
        return timeToLive;
    }

    /** Thrown when the store holds as many sessions as it may. */
    public static final class StoreFullException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoreFullException(int capacity) {
            super("The server already tracks " + capacity + " payment sessions; older ones are evicted after their time to live.");
        }
    }
}
