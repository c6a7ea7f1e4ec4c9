package io.agentpay.gateway.mcp;

import io.agentpay.gateway.log.Log;
import io.modelcontextprotocol.spec.McpSchema.LoggingLevel;
import io.modelcontextprotocol.spec.McpSchema.LoggingMessageNotification;
import io.modelcontextprotocol.spec.McpLoggableSession;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one log sink of the server. Components publish events here; a single background listener
 * writes each to stderr (through SLF4J) and, once the client has initialized, sends it as an MCP
 * {@code notifications/message} when the level passes the client's {@code logging/setLevel}.
 * Events published before then go to stderr only, except those of {@link #keptUntilReady()} (the
 * services start while the client is still initializing), which the client gets once it is ready.
 * Publishing never blocks the caller: a full queue drops the event and counts it. Payment
 * progress ({@link #progress}) has a queue of its own, drained first, so routine events (warnings
 * about refused requests, say) can neither fill it nor delay it.
 */
public final class McpLog implements Log, AutoCloseable {
    /** {@code kept}: sent to the client once it is ready when published before. */
    private record Event(LoggingLevel level, String logger, String message, boolean kept) {}

    private static final Event STOP = new Event(LoggingLevel.DEBUG, "", "", false);
    /** Queued by {@link #clientReady()}: the listener sends what it kept back, then sends as it goes. */
    private static final Event READY = new Event(LoggingLevel.DEBUG, "", "", false);
    /** At most this many events published before the client was ready are sent to it later. */
    private static final int MAX_HELD = 256;

    private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(8192);
    private final BlockingQueue<Event> progressQueue = new ArrayBlockingQueue<>(8192);
    /** One permit per queued event, in either queue: the listener waits on this, then takes progress first. */
    private final Semaphore queued = new Semaphore(0);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong handled = new AtomicLong();
    private final Thread worker;
    /** Weakly held: a session the transport has dropped (an HTTP client gone or deleted) leaves with it. */
    private final Set<McpLoggableSession> sessions = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private final AtomicBoolean clientReady = new AtomicBoolean();
    /** The listener's own: kept events delivered to stderr before {@link #READY}, to be sent to the client after it. */
    private final List<Event> held = new ArrayList<>();
    private boolean sending;

    public McpLog() {
        worker = new Thread(this::drain, "mcp-log");
        worker.setDaemon(true);
        worker.start();
    }

    /** A session that notifications go to: the one stdio session, or each HTTP client's. */
    public void attach(McpLoggableSession session) {
        sessions.add(session);
    }

    /** The client has its initialize answer; notifications may flow from now on. */
    public void clientReady() {
        if (clientReady.compareAndSet(false, true)) {
            enqueue(queue, READY);
        }
    }

    /**
     * This log for what starts before the client is ready: its events go to stderr at once and, when
     * the level allows, to the client once it is ready (the others published before then only to stderr).
     */
    public Log keptUntilReady() {
        return new Log() {
            @Override
            public void debug(String logger, String message) { publish(LoggingLevel.DEBUG, logger, message, true); }

            @Override
            public void info(String logger, String message) { publish(LoggingLevel.INFO, logger, message, true); }

            @Override
            public void warning(String logger, String message) { publish(LoggingLevel.WARNING, logger, message, true); }

            @Override
            public void error(String logger, String message) { publish(LoggingLevel.ERROR, logger, message, true); }

            @Override
            public void progress(String logger, String message) {
                enqueue(progressQueue, new Event(LoggingLevel.INFO, logger, message, true));
            }
        };
    }

    @Override
    public void debug(String logger, String message) { publish(LoggingLevel.DEBUG, logger, message); }

    @Override
    public void info(String logger, String message) { publish(LoggingLevel.INFO, logger, message); }

    @Override
    public void warning(String logger, String message) { publish(LoggingLevel.WARNING, logger, message); }

    @Override
    public void error(String logger, String message) { publish(LoggingLevel.ERROR, logger, message); }

    /** A payment's progress, at info: queued apart from every other event and delivered before them. */
    @Override
    public void progress(String logger, String message) {
        enqueue(progressQueue, new Event(LoggingLevel.INFO, logger, message, false));
    }

    public void publish(LoggingLevel level, String logger, String message) {
        publish(level, logger, message, false);
    }

    private void publish(LoggingLevel level, String logger, String message, boolean kept) {
        enqueue(queue, new Event(level, logger, message, kept));
    }

    private void enqueue(BlockingQueue<Event> target, Event event) {
        published.incrementAndGet();
        if (target.offer(event)) {
            queued.release();
        } else {
            dropped.incrementAndGet();
            handled.incrementAndGet();
        }
    }

    private void drain() {
        try {
            while (true) {
                queued.acquire();
                Event event = progressQueue.poll();
                if (event == null) {
                    event = queue.poll();
                }
                if (event == STOP) {
                    return;
                }
                if (event == READY) {
                    sending = true;
                    held.forEach(this::send);
                    held.clear();
                } else {
                    deliver(event);
                }
                handled.incrementAndGet();
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    deliver(new Event(LoggingLevel.WARNING, "log", lost + " log events were dropped under load.", false));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(Event event) {
        Logger logger = LoggerFactory.getLogger("agentpay." + event.logger());
        switch (event.level()) {
            case DEBUG -> logger.debug(event.message());
            case INFO, NOTICE -> logger.info(event.message());
            case WARNING -> logger.warn(event.message());
            default -> logger.error(event.message());
        }
        if (!sending) {
            if (event.kept() && held.size() < MAX_HELD) {
                held.add(event);
            }
            return;
        }
        send(event);
    }

    private void send(Event event) {
        List<McpLoggableSession> targets;
        synchronized (sessions) {
            targets = List.copyOf(sessions);
        }
        for (McpLoggableSession target : targets) {
            if (target.isNotificationForLevelAllowed(event.level())) {
                target.sendNotification("notifications/message",
                        new LoggingMessageNotification(event.level(), event.logger(), event.message()))
                        .subscribe(null, e -> LoggerFactory.getLogger("agentpay.log").debug("Log notification not sent: {}", e.toString()));
            }
        }
    }

    /** Delivers what is queued (briefly) and stops the listener. */
    @Override
    public void close() {
        if (queue.offer(STOP)) {
            queued.release();
        }
        try {
            worker.join(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For tests: waits until every event published so far has been delivered. */
    public boolean awaitIdle(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (handled.get() < published.get() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        return handled.get() >= published.get();
    }
}
