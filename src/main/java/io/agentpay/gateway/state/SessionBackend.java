package io.agentpay.gateway.state;

import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Where payment sessions live: this process's memory ({@link MemorySessions}), or a store shared
 * by several instances. {@link PaymentStore} decides what a merge does; a backend only keeps the
 * result atomic per session and tells every instance of each change, in the order changes were stored.
 */
public interface SessionBackend extends AutoCloseable {
    /** The result of one merge: what to store, and whether listeners hear of it. */
    record Merge(PaymentStatus stored, boolean announce) {}

    /** Given once, before any merge: receives each announced change with its one-off listener (or null), in store order. */
    void deliverTo(BiConsumer<PaymentStatus, Consumer<PaymentStatus>> announced);

    Optional<PaymentStatus> get(String paymentSid);

    Collection<PaymentStatus> values();

    int size();

    /** The sessions opened on {@code callSid}: the call-to-session index. */
    default Collection<PaymentStatus> onCall(String callSid) {
        return values().stream().filter(s -> callSid.equals(s.callSid())).toList();
    }

    /**
     * Stores {@code merge.apply(current)} ({@code current} null for a new session) atomically with
     * respect to every other merge of the session, on any instance. {@code merge} is pure and may run
     * more than once (a shared store retries when another instance wrote first). Returns what was stored.
     */
    Optional<Merge> merge(String paymentSid, Function<PaymentStatus, Merge> merge, Consumer<PaymentStatus> onStored);

    /** Forgets the session when it is still at {@code version}. */
    boolean removeIfAt(String paymentSid, long version);

    /** Forgets sessions last updated before {@code cutoff}; returns how many went. */
    int removeUpdatedBefore(Instant cutoff);

    /**
     * The callback path secret: {@code proposed} unless another instance sharing this backend chose
     * one first, so every instance behind one public URL accepts the same callback URL.
     */
    default String sharedSecret(String proposed) {
        return proposed;
    }

    /** Whether the backend can be used now (a shared store may be unreachable); with a reason when not. */
    default Optional<String> unavailable() {
        return Optional.empty();
    }

    /**
     * {@code watcher} hears each change of availability once: the reason when the backend becomes
     * unavailable, empty when it is available again; at once with the reason when it is unavailable now.
     */
    default void watchAvailability(Consumer<Optional<String>> watcher) {}

    /** Completes when the backend can be used: at once when it can now, else when it is reachable again. */
    default CompletableFuture<Void> whenAvailable() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    default void close() {}
}
