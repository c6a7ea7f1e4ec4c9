package io.agentpay.gateway.state;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * Every payment session this server knows, keyed by payment SID. Updates merge atomically per
 * session; listeners hear about each change after it is stored, in the order the changes were
 * merged, and outside the merge, so a listener that fails cannot undo or block one; sessions idle
 * for longer than the time to live are evicted.
 */
public final class PaymentStore implements AutoCloseable {
    /**
     * A change and the one-off listener of the update that made it (or null); {@code stored} once the backend's
     * merge that announced it has returned, so that a reader told of it finds it.
     */
    private record Change(PaymentStatus status, Consumer<PaymentStatus> onStored, AtomicBoolean stored) {}

    /** The changes a merge on this thread announced while it ran (inside the backend's update, before it is stored). */
    private static final class Merging {
        boolean active;
        final List<Change> announced = new ArrayList<>(1);
    }

    private final SessionBackend payments;
    private final List<Consumer<PaymentStatus>> listeners = new CopyOnWriteArrayList<>();
    /** Changes in merge order (queued inside the merge), awaiting their listeners. */
    private final ConcurrentLinkedQueue<Change> pending = new ConcurrentLinkedQueue<>();
    /** Held by the one thread that runs listeners, so they hear changes one at a time, in queue order. */
    private final AtomicBoolean delivering = new AtomicBoolean();
    private final ThreadLocal<Merging> merging = ThreadLocal.withInitial(Merging::new);
    private final Duration timeToLive;
    private final int capacity;
    private final Clock clock;

    public PaymentStore(Duration timeToLive, int capacity, Clock clock, SessionBackend backend) {
        this.timeToLive = timeToLive;
        this.capacity = capacity;
        this.clock = clock;
        this.payments = backend;
        backend.deliverTo((status, onStored) -> {
            Merging mine = merging.get();
            Change change = new Change(status, onStored, new AtomicBoolean(!mine.active));
            pending.add(change);
            if (mine.active) {
                mine.announced.add(change);
            } else {
                deliverPending(); // heard from another instance: stored already
            }
        });
    }

    public PaymentStore(Duration timeToLive, int capacity, Clock clock) {
        this(timeToLive, capacity, clock, new MemorySessions());
    }

    /** A store on {@code backend} (memory, or shared by several instances), with the default capacity. */
    public PaymentStore(Duration timeToLive, SessionBackend backend) {
        this(timeToLive, 250_000, Clock.systemUTC(), backend);
    }

    public PaymentStore(Duration timeToLive) {
        this(timeToLive, 250_000, Clock.systemUTC());
    }

    public Optional<PaymentStatus> find(String paymentSid) {
        return paymentSid == null ? Optional.empty() : payments.get(paymentSid);
    }

    public Collection<PaymentStatus> all() {
        return payments.values();
    }

    /** The sessions opened on {@code callSid}, open or finished. */
    public Collection<PaymentStatus> onCall(String callSid) {
        return payments.onCall(callSid);
    }

    public int size() {
        return payments.size();
    }

    /**
     * Calls {@code listener} with the new status after every change, in merge order. It runs on
     * whichever thread is delivering changes, so it must only hand the status on (to a queue),
     * never block; an exception it throws is logged and does not reach the other listeners.
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
        return apply(update, null);
    }

    /**
     * The same; {@code onStored} hears the new status when something changed, in merge order with
     * every other listener (so two log lines about one session never swap).
     */
    public Optional<PaymentStatus> apply(PaymentUpdate update, Consumer<PaymentStatus> onStored) {
        return merge(update, onStored, -1);
    }

    /**
     * Undoes a failed request's own change: merges {@code restore} only while the session is still
     * at {@code version}, the version that request's change produced. Anything merged since
     * (a callback, a redelivery, another request) is newer than the snapshot, so it stays.
     *
     * @return the restored status when it was applied
     */
    public Optional<PaymentStatus> applyIfStillAt(PaymentUpdate restore, long version) {
        return payments.get(restore.paymentSid()).isPresent() ? merge(restore, null, version) : Optional.empty();
    }

    /** Forgets a session a failed request created, unless anything was merged into it since ({@code version}). */
    public boolean evictIfStillAt(String paymentSid, long version) {
        return payments.removeIfAt(paymentSid, version);
    }

    private Optional<PaymentStatus> merge(PaymentUpdate update, Consumer<PaymentStatus> onStored, long expectedVersion) {
        if (payments.size() >= capacity && payments.get(update.paymentSid()).isEmpty()) {
            throw new StoreFullException(capacity);
        }
        String sid = update.paymentSid();
        // A change is announced inside the backend's update, where a reader cannot see it yet: its listeners (and the
        // clients they notify, who read the session next) run only once that update has returned.
        Merging mine = merging.get();
        mine.active = true;
        Optional<SessionBackend.Merge> merged;
        try {
            merged = payments.merge(sid, current -> {
                if (expectedVersion >= 0 && (current == null || current.version() != expectedVersion)) {
                    return new SessionBackend.Merge(current, false);
                }
                // The time is read here, where this session's merges are serialized (or per compare-and-set
                // attempt), and never before the stored one: two concurrent merges cannot leave the newer state
                // with the older updatedAt.
                Instant now = clock.instant();
                if (current != null && now.isBefore(current.updatedAt())) {
                    now = current.updatedAt();
                }
                PaymentStatus base = current != null ? current : PaymentStatus.empty(sid, update.callSid(), now);
                PaymentStatus next = base.apply(update, now);
                return new SessionBackend.Merge(next, current == null || !next.sameProgressAs(current));
            }, onStored);
        } finally {
            mine.active = false;
            for (Change change : mine.announced) {
                change.stored().set(true);
            }
            mine.announced.clear();
        }
        deliverPending();
        return merged.filter(SessionBackend.Merge::announce).map(SessionBackend.Merge::stored);
    }

    /**
     * Runs listeners for queued changes, one thread at a time. A thread that finds another one
     * delivering leaves its change to it; the deliverer looks again after letting go, so no change
     * is left behind.
     */
    private void deliverPending() {
        while (ready(pending.peek()) && delivering.compareAndSet(false, true)) {
            try {
                Change change;
                while (ready(change = pending.peek())) {
                    pending.poll(); // only the deliverer takes from the queue: the head is still this change
                    for (Consumer<PaymentStatus> listener : listeners) {
                        tell(listener, change.status());
                    }
                    if (change.onStored() != null) {
                        tell(change.onStored(), change.status());
                    }
                }
            } finally {
                delivering.set(false);
            }
        }
    }

    /** A queued change whose merge has returned; the queue's order is kept, so a change waits for those before it. */
    private static boolean ready(Change change) {
        return change != null && change.stored().get();
    }

    private static void tell(Consumer<PaymentStatus> listener, PaymentStatus status) {
        try {
            listener.accept(status);
        } catch (RuntimeException e) {
            LoggerFactory.getLogger("agentpay.state").warn("A listener failed on the change of payment {} ({}: {}); the "
                    + "change itself is stored.", status.paymentSid(), e.getClass().getSimpleName(), CardData.scrubText(e.getMessage()));
        }
    }

    /** Removes sessions not updated within the time to live; returns how many went. */
    public int evictExpired() {
        return payments.removeUpdatedBefore(clock.instant().minus(timeToLive));
    }

    /** See {@link SessionBackend#sharedSecret}. */
    public String sharedSecret(String proposed) {
        return payments.sharedSecret(proposed);
    }

    /** Why the sessions cannot be reached now (a shared store down), if they cannot. */
    public Optional<String> unavailable() {
        return payments.unavailable();
    }

    /** See {@link SessionBackend#watchAvailability}. */
    public void watchAvailability(Consumer<Optional<String>> watcher) {
        payments.watchAvailability(watcher);
    }

    /** See {@link SessionBackend#whenAvailable}. */
    public CompletableFuture<Void> whenAvailable() {
        return payments.whenAvailable();
    }

    public Duration timeToLive() {
        return timeToLive;
    }

    /** Lets go of the backend (a shared store's connections and threads); the sessions themselves stay where they are. */
    @Override
    public void close() {
        payments.close();
    }

    /** Thrown when the store holds as many sessions as it may. */
    public static final class StoreFullException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoreFullException(int capacity) {
            super("The server already tracks " + capacity + " payment sessions; older ones are evicted after their time to live.");
        }
    }
}
