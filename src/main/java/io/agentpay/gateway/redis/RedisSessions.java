package io.agentpay.gateway.redis;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentpay.gateway.state.PaymentStatus;
import io.agentpay.gateway.state.SessionBackend;
import io.agentpay.gateway.state.StoreUnavailableException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Payment sessions in Redis, shared by every instance on the same {@code REDIS_URL}. Each session
 * is a hash ({@code v}: version, {@code s}: the status) expiring a time to live after its last
 * change, indexed in a sorted set by last change. A merge is optimistic: merge in Java on the
 * status last seen (this instance's own writes and every change it heard, kept for the most recent
 * {@link #SEEN} sessions; read from Redis when not seen), then a Lua script writes only while the
 * stored version is still that one, and publishes the new status in the same step, so every instance
 * (this one too) hears each change in store order. When the version moved on, the script answers
 * with the stored status and the merge runs again on it: one round trip per merge when nothing
 * raced it, as before when something did.
 */
public final class RedisSessions implements SessionBackend {
    static final String PREFIX = "agentpay:";
    static final String INDEX = PREFIX + "sessions";
    static final String CHANNEL = PREFIX + "changes";
    private static final int ATTEMPTS = 100;
    private static final int STRIPES = 256;
    /** How many sessions' last seen status this instance keeps to merge on without reading it first. */
    static final int SEEN = 8192;
    /** What {@link #WRITE_IF_AT} answers when it wrote (a stored status is JSON, so never this). */
    private static final String WRITTEN = "ok";

    /**
     * KEYS: session, index, call's sessions. ARGV: expected version (-1: absent), new version, status, ttl ms,
     * updatedAt ms, sid, channel or ''. Answers {@link #WRITTEN}, or when the version is not the one expected
     * the stored status ('' when there is none).
     */
    private static final String WRITE_IF_AT = """
            local v = redis.call('HGET', KEYS[1], 'v')
            if (ARGV[1] == '-1' and v) or (ARGV[1] ~= '-1' and v ~= ARGV[1]) then
              return redis.call('HGET', KEYS[1], 's') or ''
            end
            redis.call('HSET', KEYS[1], 'v', ARGV[2], 's', ARGV[3])
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            redis.call('ZADD', KEYS[2], ARGV[5], ARGV[6])
            redis.call('SADD', KEYS[3], ARGV[6])
            redis.call('PEXPIRE', KEYS[3], ARGV[4])
            if ARGV[7] ~= '' then redis.call('PUBLISH', ARGV[7], ARGV[3]) end
            return 'ok'""";

    /** KEYS: session, index. ARGV: version, sid. */
    private static final String REMOVE_IF_AT = """
            if redis.call('HGET', KEYS[1], 'v') == ARGV[1] then
              redis.call('DEL', KEYS[1])
              redis.call('ZREM', KEYS[2], ARGV[2])
              return 1
            end
            return 0""";

    private final RedisLink link;
    private final StatusCodec codec;
    private final Duration timeToLive;
    /** Merges on one payment take turns within this instance (see {@link #merge}). */
    private final Object[] stripes = new Object[STRIPES];
    private volatile BiConsumer<PaymentStatus, Consumer<PaymentStatus>> announced = (status, onStored) -> { };
    private volatile int size;
    private volatile long sizeReadAt;
    /**
     * The last status seen of the most recently changed sessions, by payment SID: a guess, checked against the
     * stored version before it counts.
     */
    private final Map<String, PaymentStatus> seen = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PaymentStatus> eldest) {
            return size() > SEEN;
        }
    });

    private RedisSessions(ObjectMapper json, Duration timeToLive, BiFunction<String, Consumer<String>, RedisLink> connect) {
        this.codec = new StatusCodec(json);
        this.timeToLive = timeToLive;
        Arrays.setAll(stripes, i -> new Object());
        this.link = connect.apply(CHANNEL, message -> announced.accept(codec.decode(message), null));
    }

    /**
     * Connects to {@code url} ({@code redis://host:port/db}, {@code rediss://} for TLS).
     *
     * @throws StoreUnavailableException when Redis cannot be reached now
     */
    public static RedisSessions connect(String url, Duration timeToLive, ObjectMapper json) {
        return new RedisSessions(json, timeToLive, (channel, messages) -> RedisLink.connect(url, channel, messages));
    }

    /**
     * Connects to {@code url}, or, when Redis cannot be reached now, returns at once and keeps trying in the
     * background: until it connects every call throws {@link StoreUnavailableException} and
     * {@link #unavailable()} says why. Outages after that are {@link RedisLink}'s to ride out.
     */
    public static RedisSessions open(String url, Duration timeToLive, ObjectMapper json) {
        return new RedisSessions(json, timeToLive, (channel, messages) -> RedisLink.open(url, channel, messages));
    }

    @Override
    public void deliverTo(BiConsumer<PaymentStatus, Consumer<PaymentStatus>> announced) {
        this.announced = (status, onStored) -> {
            seen.merge(status.paymentSid(), status, (old, heard) -> heard.version() > old.version() ? heard : old);
            announced.accept(status, onStored);
        };
    }

    @Override
    public Optional<PaymentStatus> get(String paymentSid) {
        String text = call(() -> link.commands().hget(key(paymentSid), "s"));
        return Optional.ofNullable(text).map(codec::decode);
    }

    @Override
    public Collection<PaymentStatus> values() {
        List<PaymentStatus> all = new ArrayList<>();
        for (String sid : call(() -> link.commands().zrange(INDEX, 0, -1))) {
            get(sid).ifPresent(all::add);
        }
        return all;
    }

    /** Refreshed at most once a second: it guards capacity, it need not be exact. */
    @Override
    public int size() {
        long now = System.nanoTime();
        if (now - sizeReadAt > 1_000_000_000L) {
            size = call(() -> link.commands().zcard(INDEX)).intValue();
            sizeReadAt = now;
        }
        return size;
    }

    @Override
    public Optional<Merge> merge(String paymentSid, Function<PaymentStatus, Merge> merge, Consumer<PaymentStatus> onStored) {
        // One merge at a time per payment within this instance: threads of one instance racing on one key only
        // lose to each other (200 concurrent merges on one payment starved a thread past ATTEMPTS on 2 cores);
        // the compare-and-set below is then between instances only.
        synchronized (stripe(paymentSid)) {
            return mergeAcrossInstances(paymentSid, merge, onStored);
        }
    }

    private Object stripe(String paymentSid) {
        return stripes[(paymentSid.hashCode() & Integer.MAX_VALUE) % stripes.length];
    }

    private Optional<Merge> mergeAcrossInstances(String paymentSid, Function<PaymentStatus, Merge> merge,
                                                 Consumer<PaymentStatus> onStored) {
        String key = key(paymentSid);
        PaymentStatus seenLast = seen.get(paymentSid);
        PaymentStatus current = seenLast != null ? seenLast : get(paymentSid).orElse(null);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Merge m = merge.apply(current);
            if (m.stored() == current || m.stored() == null) {
                if (current == seenLast && seenLast != null
                        && !Long.toString(seenLast.version()).equals(call(() -> link.commands().hget(key, "v")))) {
                    // Nothing to write on a status not read from Redis, but it is not the stored one: merge on that.
                    current = get(paymentSid).orElse(null);
                    continue;
                }
                return Optional.of(m);
            }
            PaymentStatus next = m.stored();
            String[] args = {current == null ? "-1" : Long.toString(current.version()), Long.toString(next.version()),
                    codec.encode(next), Long.toString(timeToLive.toMillis()), Long.toString(next.updatedAt().toEpochMilli()),
                    paymentSid, m.announce() ? CHANNEL : ""};
            String answer = writeIfAt(new String[] {key, INDEX, callKey(next.callSid())}, args);
            if (WRITTEN.equals(answer)) {
                seen.put(paymentSid, next);
                if (m.announce() && onStored != null) {
                    onStored.accept(next);
                }
                return Optional.of(m);
            }
            current = answer == null || answer.isEmpty() ? null : codec.decode(answer);
        }
        throw new StoreUnavailableException("Payment " + paymentSid + " changed " + ATTEMPTS + " times while this merge was "
                + "being stored.");
    }

    @Override
    public boolean removeIfAt(String paymentSid, long version) {
        return script(REMOVE_IF_AT, new String[] {key(paymentSid), INDEX}, new String[] {Long.toString(version), paymentSid});
    }

    /** Sessions expire in Redis by themselves; this drops them from the index. */
    @Override
    public int removeUpdatedBefore(Instant cutoff) {
        return call(() -> link.commands().zremrangebyscore(INDEX, io.lettuce.core.Range.create(Double.NEGATIVE_INFINITY,
                (double) cutoff.toEpochMilli() - 1))).intValue();
    }

    @Override
    public String sharedSecret(String proposed) {
        String key = PREFIX + "callback-secret";
        call(() -> link.commands().setnx(key, proposed));
        return call(() -> link.commands().get(key));
    }

    @Override
    public Optional<String> unavailable() {
        return link.unavailable();
    }

    @Override
    public void watchAvailability(Consumer<Optional<String>> watcher) {
        link.watch(watcher);
    }

    @Override
    public CompletableFuture<Void> whenAvailable() {
        return link.whenAvailable();
    }

    private boolean script(String script, String[] keys, String[] args) {
        Long written = call(() -> {
            try {
                return link.commands().evalsha(Scripts.sha1(script), ScriptOutputType.INTEGER, keys, args);
            } catch (RedisNoScriptException e) {
                return link.commands().eval(script, ScriptOutputType.INTEGER, keys, args);
            }
        });
        return written != null && written == 1L;
    }

    /** {@link #WRITE_IF_AT}: what it answers. */
    private String writeIfAt(String[] keys, String[] args) {
        return call(() -> {
            try {
                return link.commands().evalsha(Scripts.sha1(WRITE_IF_AT), ScriptOutputType.VALUE, keys, args);
            } catch (RedisNoScriptException e) {
                return link.commands().eval(WRITE_IF_AT, ScriptOutputType.VALUE, keys, args);
            }
        });
    }

    private <T> T call(Supplier<T> command) {
        try {
            return command.get();
        } catch (RedisException e) {
            throw link.failed(e);
        }
    }

    @Override
    public Collection<PaymentStatus> onCall(String callSid) {
        List<PaymentStatus> sessions = new ArrayList<>();
        for (String sid : call(() -> link.commands().smembers(callKey(callSid)))) {
            get(sid).ifPresent(sessions::add);
        }
        return sessions;
    }

    private static String callKey(String callSid) {
        return PREFIX + "call:" + callSid;
    }

    private static String key(String paymentSid) {
        return PREFIX + "payment:" + paymentSid;
    }

    @Override
    public void close() {
        link.close();
    }
}
