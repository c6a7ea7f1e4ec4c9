package io.agentpay.gateway.mcp;

import io.agentpay.gateway.state.PaymentStatus;
import io.agentpay.gateway.state.PaymentStore;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Lets a tool wait for a payment to reach a state, up to a deadline, without holding a lock or
 * polling: the store's change listener hands each change of a watched payment to the waiting
 * threads' queues, and a waiting thread sleeps on its queue until a change or the deadline.
 */
public final class PaymentWaiter {
    private final PaymentStore store;
    private final ConcurrentHashMap<String, Set<BlockingQueue<PaymentStatus>>> waiting = new ConcurrentHashMap<>();

    public PaymentWaiter(PaymentStore store) {
        this.store = store;
        store.onChange(this::changed);
    }

    /** Runs inside the store's update: only hands the change on, never blocks. */
    private void changed(PaymentStatus status) {
        Set<BlockingQueue<PaymentStatus>> queues = waiting.get(status.paymentSid());
        if (queues != null) {
            for (BlockingQueue<PaymentStatus> queue : queues) {
                queue.offer(status);
            }
        }
    }

    /**
     * Waits until {@code done} holds for the payment's current status or {@code max} has passed.
     * Each change seen on the way is handed to {@code seen} (for progress notifications).
     *
     * @param known the status to fall back on if the store no longer has the payment
     * @return the payment's status when the wait ended
     * @throws CancellationException when the waiting thread is interrupted: the client cancelled the request
     */
    public PaymentStatus await(PaymentStatus known, Predicate<PaymentStatus> done, Duration max,
                               Consumer<PaymentStatus> seen) {
        String paymentSid = known.paymentSid();
        BlockingQueue<PaymentStatus> queue = new LinkedBlockingQueue<>();
        waiting.compute(paymentSid, (sid, queues) -> {
            Set<BlockingQueue<PaymentStatus>> set = queues != null ? queues : ConcurrentHashMap.newKeySet();
            set.add(queue);
            return set;
        });
        try {
            // Read after registering, so that no change between the two can be missed.
            PaymentStatus latest = store.find(paymentSid).orElse(known);
            long deadline = System.nanoTime() + max.toNanos();
            while (!done.test(latest)) {
                long left = deadline - System.nanoTime();
                PaymentStatus change = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
                if (change == null) {
                    break;
                }
                seen.accept(change);
                // Changes arrive in the order they were stored: the latest change is the current status.
                latest = change;
            }
            return latest;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("The wait for payment " + paymentSid + " was cancelled by the client.");
        } finally {
            waiting.computeIfPresent(paymentSid, (sid, queues) -> {
                queues.remove(queue);
                return queues.isEmpty() ? null : queues;
            });
        }
    }
}
