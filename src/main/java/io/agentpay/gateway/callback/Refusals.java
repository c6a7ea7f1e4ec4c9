package io.agentpay.gateway.callback;

import io.agentpay.gateway.log.Log;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Counts what the callback port turns away (refused requests, connections closed for being too
 * slow, failed accepts) instead of relaying each one: the first few of an interval are logged
 * one by one (address and reason, never a body), the rest are counted per address and summed up
 * in one warning when the interval ends. A flood of a million refused posts costs a handful of
 * log lines and notifications a minute, whatever its rate.
 */
final class Refusals {
    /** Logged one by one per interval; everything after that goes into the interval's summary. */
    static final int LOGGED_PER_INTERVAL = 5;
    /** Addresses counted separately per interval; the rest are summed as "other addresses". */
    private static final int ADDRESSES = 64;
    private static final int NAMED_IN_SUMMARY = 3;
    private static final String OTHERS = "other addresses";

    private final Log log;
    private final Duration interval;
    private final AtomicInteger logged = new AtomicInteger();
    private final AtomicLong total = new AtomicLong();
    private volatile Map<String, Tally> counted = new ConcurrentHashMap<>();
    /** Refusals in the last complete interval, for the tunnel check's explanation. */
    private volatile long lastInterval;

    /** Per address: how many, and the reason of the first one counted. */
    private record Tally(LongAdder count, String reason) {}

    Refusals(Log log, Duration interval) {
        this.log = log;
        this.interval = interval;
    }

    Duration interval() {
        return interval;
    }

    /** One refusal, e.g. {@code what} "Refused a callback"; {@code address} is formatted only when it is needed. */
    void refused(Supplier<String> address, String what, String reason) {
        total.incrementAndGet();
        int n = logged.get() < LOGGED_PER_INTERVAL ? logged.incrementAndGet() : LOGGED_PER_INTERVAL + 1;
        if (n <= LOGGED_PER_INTERVAL) {
            log.warning("callbacks", what + " from " + address.get() + ": " + reason + "." + (n == LOGGED_PER_INTERVAL
                    ? " Further refusals are counted and summed up every " + interval.toSeconds() + " s." : ""));
            return;
        }
        Map<String, Tally> tallies = counted;
        String key = address.get();
        if (!tallies.containsKey(key) && tallies.size() >= ADDRESSES) {
            key = OTHERS;
        }
        tallies.computeIfAbsent(key, k -> new Tally(new LongAdder(), reason)).count().increment();
    }

    /** Ends the interval: one warning for what was counted but not logged, if anything was. */
    void summarize() {
        Map<String, Tally> tallies = counted;
        counted = new ConcurrentHashMap<>();
        logged.set(0);
        lastInterval = total.getAndSet(0);
        if (tallies.isEmpty()) {
            return;
        }
        long sum = tallies.values().stream().mapToLong(t -> t.count().sum()).sum();
        StringBuilder line = new StringBuilder("Refused ").append(count(sum)).append(" more requests to the callback port in the last ")
                .append(interval.toSeconds()).append(" s: ");
        var largest = tallies.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, Tally> e) -> e.getValue().count().sum()).reversed()).toList();
        for (int i = 0; i < Math.min(NAMED_IN_SUMMARY, largest.size()); i++) {
            var entry = largest.get(i);
            line.append(i == 0 ? "" : "; ").append(count(entry.getValue().count().sum())).append(" from ").append(entry.getKey())
                    .append(" (").append(entry.getValue().reason()).append(')');
        }
        if (largest.size() > NAMED_IN_SUMMARY) {
            long rest = largest.subList(NAMED_IN_SUMMARY, largest.size()).stream().mapToLong(e -> e.getValue().count().sum()).sum();
            line.append("; ").append(count(rest)).append(" from ").append(largest.size() - NAMED_IN_SUMMARY).append(" more");
        }
        log.warning("callbacks", line.append('.').toString());
    }

    /** Refusals a second over the last complete interval, or over this one so far if that is more. */
    long perSecond() {
        return Math.max(lastInterval, total.get()) * 1000 / Math.max(1, interval.toMillis());
    }

    /** 1,342,980 → "1.3M"; small counts as they are. */
    static String count(long n) {
        if (n < 10_000) {
            return String.valueOf(n);
        }
        if (n < 1_000_000) {
            return String.format(java.util.Locale.ROOT, "%.1fk", n / 1_000.0);
        }
        return String.format(java.util.Locale.ROOT, "%.1fM", n / 1_000_000.0);
    }
}
