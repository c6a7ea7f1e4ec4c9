package io.agentpay.gateway.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.PaymentField;
import io.agentpay.gateway.state.PaymentStatus;
import io.agentpay.gateway.state.PaymentStore;
import io.agentpay.gateway.state.PaymentUpdate;
import io.agentpay.gateway.state.StoreUnavailableException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two stores on one real Redis, standing for two instances of the server: each sees and hears the
 * other's changes, concurrent merges from both lose nothing and are heard in store order, a
 * failed request's undo stays order-safe across them, and a Redis outage is a clear error that
 * ends when Redis is back.
 */
@Timeout(120)
class RedisSessionsTest {
    static final String CA = "CAfedcba9876543210fedcba9876543210";
    static final Instant T0 = Instant.parse("2026-11-24T15:04:05.123Z");

    static RedisProcess redis;
    private RedisSessions backendA;
    private RedisSessions backendB;
    private PaymentStore a;
    private PaymentStore b;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = new RedisProcess();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @BeforeEach
    void twoInstances() {
        backendA = RedisSessions.connect(redis.url(), Duration.ofHours(1), Json.MAPPER);
        backendB = RedisSessions.connect(redis.url(), Duration.ofHours(1), Json.MAPPER);
        a = new PaymentStore(Duration.ofHours(1), backendA);
        b = new PaymentStore(Duration.ofHours(1), backendB);
    }

    @AfterEach
    void close() {
        backendA.close();
        backendB.close();
    }

    static String newPaymentSid() {
        return String.format("PK%032x", ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    static PaymentUpdate created(String pk) {
        return PaymentUpdate.created(pk, CA, Map.of(), List.of(CaptureField.PAYMENT_CARD_NUMBER, CaptureField.EXPIRATION_DATE));
    }

    static PaymentUpdate callback(String pk, int secondsAfter, String token) {
        return new PaymentUpdate(pk, CA, T0.plusSeconds(secondsAfter), token,
                Map.of(PaymentField.PAYMENT_CARD_NUMBER, "xxxxxxxxxxxx" + (1000 + secondsAfter % 9000)),
                CaptureField.PAYMENT_CARD_NUMBER, List.of(CaptureField.EXPIRATION_DATE), false, null, PaymentUpdate.Request.NONE);
    }

    @Test
    void aChangeMadeOnOneInstanceIsReadAndHeardOnTheOther() {
        String pk = newPaymentSid();
        List<PaymentStatus> heardOnB = new CopyOnWriteArrayList<>();
        List<PaymentStatus> heardOnA = new CopyOnWriteArrayList<>();
        b.onChange(heardOnB::add);
        a.onChange(heardOnA::add);

        PaymentStatus created = a.apply(created(pk)).orElseThrow();
        assertThat(b.find(pk)).contains(created);
        b.apply(callback(pk, 10, "t10"));
        assertThat(a.find(pk).orElseThrow().value(PaymentField.PAYMENT_CARD_NUMBER)).isEqualTo("xxxxxxxxxxxx1010");

        await().atMost(Duration.ofSeconds(5)).until(() -> heardOnA.size() == 2 && heardOnB.size() == 2);
        assertThat(heardOnA).extracting(PaymentStatus::version).containsExactly(1L, 2L);
        assertThat(heardOnB).extracting(PaymentStatus::version).containsExactly(1L, 2L);
        assertThat(a.all()).extracting(PaymentStatus::paymentSid).contains(pk);
        assertThat(b.onCall(CA)).extracting(PaymentStatus::paymentSid).contains(pk);
    }

    @Test
    void aCallbackRedeliveredToTheOtherInstanceIsDroppedThere() {
        String pk = newPaymentSid();
        a.apply(created(pk));
        a.apply(callback(pk, 10, "t10"));
        PaymentStatus merged = b.find(pk).orElseThrow();

        // Twilio retries a delivery with the same I-Twilio-Idempotency-Token; this retry (made later) reaches B.
        b.apply(callback(pk, 20, "t10"));

        assertThat(a.find(pk)).contains(merged);
        assertThat(merged.value(PaymentField.PAYMENT_CARD_NUMBER)).isEqualTo("xxxxxxxxxxxx1010");
    }

    @Test
    void aMergeOnAStatusThisInstanceHeardIsOneScriptWithNoReadBeforeIt() {
        String pk = newPaymentSid();
        List<PaymentStatus> heardOnB = new CopyOnWriteArrayList<>();
        b.onChange(heardOnB::add);
        a.apply(created(pk));
        await().atMost(Duration.ofSeconds(5)).until(() -> heardOnB.size() == 1);
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> stats = client.connect()) {
            Map<String, Long> before = calls(stats.sync().info("commandstats"));
            assertThat(b.apply(callback(pk, 10, "t10"))).isPresent();
            Map<String, Long> after = calls(stats.sync().info("commandstats"));
            assertThat(after.get("evalsha") - before.getOrDefault("evalsha", 0L)).as("one script").isEqualTo(1);
            assertThat(after.get("hget") - before.getOrDefault("hget", 0L)).as("the script's own read, none before it").isEqualTo(1);
        } finally {
            client.shutdown();
        }
        assertThat(a.find(pk).orElseThrow().version()).isEqualTo(2L);
    }

    @Test
    void aClosedStoreLetsGoOfItsRedisConnections() {
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> admin = client.connect()) {
            long before = clients(admin);
            PaymentStore store = new PaymentStore(Duration.ofHours(1), RedisSessions.connect(redis.url(), Duration.ofHours(1), Json.MAPPER));
            store.apply(created(newPaymentSid()));
            assertThat(clients(admin)).as("commands and pub/sub").isEqualTo(before + 2);

            store.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> clients(admin) == before);
        } finally {
            client.shutdown();
        }
    }

    private static long clients(StatefulRedisConnection<String, String> admin) {
        return admin.sync().clientList().lines().filter(line -> !line.isBlank()).count();
    }

    /** Calls per command from INFO commandstats ({@code cmdstat_hget:calls=3,...}). */
    private static Map<String, Long> calls(String commandstats) {
        Map<String, Long> calls = new HashMap<>();
        Matcher m = Pattern.compile("cmdstat_(\\w+):calls=(\\d+)").matcher(commandstats);
        while (m.find()) {
            calls.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return calls;
    }

    @Test
    void concurrentMergesFromBothInstancesAreAllKeptAndHeardInStoreOrder() throws Exception {
        String pk = newPaymentSid();
        List<Long> heardOnA = new CopyOnWriteArrayList<>();
        List<Long> heardOnB = new CopyOnWriteArrayList<>();
        a.onChange(s -> heardOnA.add(s.version()));
        b.onChange(s -> heardOnB.add(s.version()));
        List<Long> announced = new CopyOnWriteArrayList<>();
        announced.add(a.apply(created(pk)).orElseThrow().version());
        int merges = 200;
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 1; i <= merges; i++) {
                PaymentStore store = i % 2 == 0 ? a : b;
                PaymentUpdate update = callback(pk, i, "t" + i);
                done.add(threads.submit(() -> store.apply(update).ifPresent(s -> announced.add(s.version()))));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            threads.shutdownNow();
        }
        PaymentStatus last = b.find(pk).orElseThrow();
        assertThat(last.version()).as("every merge kept, none overwritten").isEqualTo(1L + merges);
        assertThat(last.value(PaymentField.PAYMENT_CARD_NUMBER)).as("the newest callback wins").isEqualTo("xxxxxxxxxxxx" + (1000 + merges));
        await().atMost(Duration.ofSeconds(10)).until(() -> heardOnA.size() >= announced.size() && heardOnB.size() >= announced.size());
        assertThat(heardOnA).as("each change heard once, in store order").isEqualTo(announced.stream().sorted().toList());
        assertThat(heardOnB).isEqualTo(heardOnA);
    }

    @Test
    void aFailedRequestOnOneInstanceDoesNotUndoWhatTheOtherMergedSince() {
        String pk = newPaymentSid();
        a.apply(created(pk));
        PaymentStatus before = a.find(pk).orElseThrow();
        PaymentStatus mine = a.apply(PaymentUpdate.captureRequested(pk, CA, CaptureField.PAYMENT_CARD_NUMBER)).orElseThrow();
        b.apply(callback(pk, 5, "t5"));

        assertThat(a.applyIfStillAt(PaymentUpdate.restore(before), mine.version())).isEmpty();
        assertThat(a.evictIfStillAt(pk, mine.version())).isFalse();
        assertThat(b.find(pk).orElseThrow().value(PaymentField.PAYMENT_CARD_NUMBER)).isEqualTo("xxxxxxxxxxxx1005");
        long now = b.find(pk).orElseThrow().version();
        assertThat(b.evictIfStillAt(pk, now)).isTrue();
        assertThat(a.find(pk)).isEmpty();
    }

    @Test
    void aSessionExpiresInRedisAfterItsTimeToLive() {
        try (RedisSessions shortLived = RedisSessions.connect(redis.url(), Duration.ofMillis(300), Json.MAPPER)) {
            PaymentStore store = new PaymentStore(Duration.ofMillis(300), shortLived);
            String pk = newPaymentSid();
            store.apply(created(pk));
            assertThat(store.find(pk)).isPresent();
            await().atMost(Duration.ofSeconds(5)).until(() -> store.find(pk).isEmpty());
        }
    }

    @Test
    void whileRedisIsDownEveryCallSaysSoAndItRecoversWhenRedisIsBack() throws Exception {
        String pk = newPaymentSid();
        a.apply(created(pk));
        redis.kill();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> backendA.unavailable().isPresent());
            assertThatThrownBy(() -> a.find(pk)).isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("Redis at redis://127.0.0.1:").hasMessageContaining("REDIS_URL");
            assertThatThrownBy(() -> a.apply(callback(pk, 1, "t1"))).isInstanceOf(StoreUnavailableException.class);
        } finally {
            redis.start();
        }
        List<PaymentStatus> heardOnB = new CopyOnWriteArrayList<>();
        b.onChange(heardOnB::add);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> a.apply(created(pk)).isPresent());
        assertThat(backendA.unavailable()).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> !heardOnB.isEmpty());
        assertThatThrownBy(() -> RedisSessions.connect("redis://127.0.0.1:1/0", Duration.ofHours(1), Json.MAPPER))
                .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("Redis at redis://127.0.0.1:1/0 cannot be reached");
    }

    @Test
    void openedBeforeRedisRunsItSaysWhyThenConnectsByItselfAndWatchersHearEachChangeOnce() throws Exception {
        String password = "pw-never-shown-0123";
        try (RedisProcess later = RedisProcess.persistentNotStarted(password);
             RedisSessions backend = RedisSessions.open(later.url(), Duration.ofHours(1), Json.MAPPER)) {
            List<Optional<String>> heard = new CopyOnWriteArrayList<>();
            backend.watchAvailability(heard::add);
            PaymentStore store = new PaymentStore(Duration.ofHours(1), backend);
            String pk = newPaymentSid();
            assertThat(backend.unavailable()).hasValueSatisfying(reason -> assertThat(reason)
                    .contains("Redis at redis://127.0.0.1:" + later.port() + "/0 cannot be reached").contains("REDIS_URL")
                    .doesNotContain(password));
            assertThatThrownBy(() -> store.find(pk)).isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("keeps trying").hasMessageNotContaining(password);
            CompletableFuture<Void> available = backend.whenAvailable();
            assertThat(available).isNotDone();

            later.start();
            available.get(30, TimeUnit.SECONDS);
            List<PaymentStatus> changes = new CopyOnWriteArrayList<>();
            store.onChange(changes::add);
            store.apply(created(pk));
            assertThat(store.find(pk)).isPresent();
            await().atMost(Duration.ofSeconds(10)).until(() -> changes.size() == 1);
            assertThat(heard).hasSize(2);
            assertThat(heard.get(0)).isPresent();
            assertThat(heard.get(1)).isEmpty();
        }
    }
}
