package io.agentpay.gateway.redis;

import io.agentpay.gateway.state.StoreUnavailableException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The two connections to one Redis (commands, and pub/sub on one channel) and whether they work.
 * Lettuce does not retry a first connection that fails, so {@link #open} keeps trying in the
 * background, backing off from {@link #MIN_BACKOFF} to {@link #MAX_BACKOFF}. After the first
 * connection Lettuce reconnects by itself (with the same backoff) and resubscribes the channel;
 * while disconnected it rejects commands at once rather than queueing them. Watchers hear each
 * change of availability once, never each attempt.
 */
final class RedisLink implements AutoCloseable {
    /** A Redis that is back is found within {@link #MAX_BACKOFF}. */
    static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(1);
    private static final String ADVICE = "If it lasts, start Redis there or correct REDIS_URL (--redis-url).";
    private static final String TLS_TRUST_ADVICE = "Its TLS certificate is not trusted here: start Java with a trust store that "
            + "holds its CA (-Djavax.net.ssl.trustStore=<file> -Djavax.net.ssl.trustStorePassword=<password>), or correct "
            + "REDIS_URL (--redis-url).";

    /** Both connections, once the first connect succeeded. */
    private record Connected(StatefulRedisConnection<String, String> commands, StatefulRedisPubSubConnection<String, String> subscription) {}

    private final RedisClient client;
    private final ClientResources resources;
    private final String channel;
    private final Consumer<String> messages;
    /** Said in logs and tool results: scheme, host, port and database, never the user name or password. */
    private final String where;
    private final ScheduledExecutorService connector = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "redis-connect");
        t.setDaemon(true);
        return t;
    });
    private final List<Consumer<Optional<String>>> watchers = new CopyOnWriteArrayList<>();
    private volatile Connected connected;
    private volatile String firstConnectFailure = "not tried yet";
    private volatile String firstConnectAdvice = ADVICE;
    /** What watchers last heard (the latest reason while unavailable). */
    private Optional<String> told = Optional.of("not connected yet");
    private volatile CompletableFuture<Void> available = new CompletableFuture<>();
    private volatile boolean closed;

    private RedisLink(String url, String channel, Consumer<String> messages) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(Duration.ofSeconds(3));
        this.where = "Redis at " + (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
        this.channel = channel;
        this.messages = messages;
        this.resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(MIN_BACKOFF, MAX_BACKOFF, 2, TimeUnit.MILLISECONDS)).build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(3)))
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                recheckSoon();
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                recheckSoon();
            }
        });
    }

    /**
     * Connects now, subscribed to {@code channel} ({@code messages} hears what is published there).
     *
     * @throws StoreUnavailableException when Redis cannot be reached now
     */
    static RedisLink connect(String url, String channel, Consumer<String> messages) {
        RedisLink link = new RedisLink(url, channel, messages);
        try {
            link.connected = link.connectBoth();
            link.recheck();
            return link;
        } catch (RedisException e) {
            link.close();
            throw new StoreUnavailableException(link.where + " cannot be reached (" + reason(e) + ")");
        }
    }

    /** The same, but never fails: while Redis cannot be reached it keeps trying in the background. */
    static RedisLink open(String url, String channel, Consumer<String> messages) {
        RedisLink link = new RedisLink(url, channel, messages);
        link.tryConnect(0);
        return link;
    }

    private Connected connectBoth() {
        StatefulRedisConnection<String, String> commands = client.connect();
        try {
            StatefulRedisPubSubConnection<String, String> subscription = client.connectPubSub();
            subscription.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String from, String message) {
                    messages.accept(message);
                }
            });
            subscription.sync().subscribe(channel);
            return new Connected(commands, subscription);
        } catch (RedisException e) {
            commands.close();
            throw e;
        }
    }

    /** One attempt at the first connection; schedules the next one, later each time, while Redis cannot be reached. */
    private void tryConnect(int attempt) {
        if (closed) {
            return;
        }
        try {
            Connected both = connectBoth();
            connected = both;
            if (closed) {
                both.subscription().close();
                both.commands().close();
            }
        } catch (RedisException e) {
            firstConnectFailure = reason(e);
            firstConnectAdvice = advice(e);
            long delay = Math.min(MAX_BACKOFF.toMillis(), MIN_BACKOFF.toMillis() << Math.min(attempt, 10));
            try {
                connector.schedule(() -> tryConnect(attempt + 1), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                // closed meanwhile
            }
        }
        recheck();
    }

    /** Off Lettuce's event loop, and again a moment later: a connection's open flag may change after its event. */
    void recheckSoon() {
        try {
            connector.execute(this::recheck);
            connector.schedule(this::recheck, MIN_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // closed
        }
    }

    /** Tells watchers when availability changed since they last heard; completes the waiters of {@link #whenAvailable()}. */
    private synchronized void recheck() {
        Optional<String> now = unavailable();
        boolean changed = now.isPresent() != told.isPresent();
        told = now;
        if (!changed || closed) {
            return;
        }
        if (now.isEmpty()) {
            available.complete(null);
        } else if (available.isDone()) {
            available = new CompletableFuture<>();
        }
        watchers.forEach(w -> w.accept(now));
    }

    /** The command connection (thread-safe, shared). @throws StoreUnavailableException before the first connection */
    RedisCommands<String, String> commands() {
        Connected c = connected;
        if (c == null) {
            throw new StoreUnavailableException(unavailable().orElse(where + " is not connected yet."));
        }
        return c.commands().sync();
    }

    /** A command failed: why, and what to do, for the caller; availability is checked again. */
    StoreUnavailableException failed(RedisException e) {
        recheckSoon();
        return new StoreUnavailableException(where + " did not answer (" + reason(e) + "); the server keeps reconnecting. " + advice(e));
    }

    Optional<String> unavailable() {
        Connected c = connected;
        if (c == null) {
            return Optional.of(where + " cannot be reached (" + firstConnectFailure + "); the server keeps trying to connect. "
                    + firstConnectAdvice);
        }
        if (c.commands().isOpen() && c.subscription().isOpen()) {
            return Optional.empty();
        }
        return Optional.of(where + " is unreachable; the server keeps reconnecting. " + ADVICE);
    }

    synchronized void watch(Consumer<Optional<String>> watcher) {
        watchers.add(watcher);
        if (told.isPresent()) {
            watcher.accept(told);
        }
    }

    CompletableFuture<Void> whenAvailable() {
        return available;
    }

    /** What to do: a TLS certificate this JVM does not trust is not fixed by starting Redis. */
    static String advice(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException) {
                return TLS_TRUST_ADVICE;
            }
        }
        return ADVICE;
    }

    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    @Override
    public void close() {
        closed = true;
        connector.shutdownNow();
        Connected c = connected;
        if (c != null) {
            c.subscription().close();
            c.commands().close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
