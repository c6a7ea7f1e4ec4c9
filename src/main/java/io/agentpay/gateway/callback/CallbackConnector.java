package io.agentpay.gateway.callback;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The callback port's connector, bounded in connections, time and memory so that slow or
 * numerous clients cannot starve the tunnel check and Twilio's callbacks:
 * <ul>
 * <li>every connection must complete a request within a deadline (10 s) of opening or of its last
 *     answer, however slowly it trickles bytes (a byte a second does not reset anything); one that
 *     sends nothing for half that time is closed (or answered 408 in the middle of a body);</li>
 * <li>above {@code room} open connections, each new one closes the oldest connection that has not
 *     completed a request in the last second, so a new request (the tunnel check, a callback)
 *     always gets in and the slowest clients make way;</li>
 * <li>at {@code limit} connections (about half the process's descriptors) accepting pauses, so
 *     the process never runs out of file descriptors;</li>
 * <li>request buffers are on the heap, from a pool that retains at most {@link #POOL_BYTES};</li>
 * <li>failed accepts are counted with the refusals instead of each logging a stack trace.</li>
 * </ul>
 */
final class CallbackConnector extends ServerConnector implements Connection.Listener {
    private static final long POOL_BYTES = 4L * 1024 * 1024;
    private static final Duration ROOM_FOR_NEW = Duration.ofSeconds(1);

    private final Refusals refusals;
    private final int room;
    private final int limit;
    private final Duration deadline;
    private final Map<Connection, Tracked> tracked = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<Tracked> oldestFirst = new ConcurrentLinkedDeque<>();
    private final AtomicInteger open = new AtomicInteger();

    /**
     * One open connection: when it last completed a request (or opened) and how far it had got
     * then, and when the sweep first saw it in the middle of its next request (0: not seen so).
     */
    private static final class Tracked {
        final Connection connection;
        volatile long progressAt;
        volatile long answered;
        volatile long bytesIn;
        volatile long requestSeenAt;
        volatile boolean closed;

        Tracked(Connection connection, long now) {
            this.connection = connection;
            this.progressAt = now;
        }
    }

    CallbackConnector(Server server, HttpConfiguration http, Refusals refusals, int limit, Duration deadline) {
        super(server, null, null, new ArrayByteBufferPool(0, -1, -1, -1, POOL_BYTES, POOL_BYTES), 1, 1, factory(http));
        this.refusals = refusals;
        this.limit = limit;
        this.room = limit * 3 / 4;
        this.deadline = deadline;
        // Shorter than the deadline, so a body that stops arriving is answered 408 before the sweep closes it.
        setIdleTimeout(deadline.toMillis() / 2);
        addEventListener(this);
        server.addBean(new NetworkConnectionLimit(limit, this));
    }

    private static HttpConnectionFactory factory(HttpConfiguration http) {
        HttpConnectionFactory factory = new HttpConnectionFactory(http);
        factory.setUseInputDirectByteBuffers(false);
        factory.setUseOutputDirectByteBuffers(false);
        return factory;
    }

    /** Connections the port holds at most, from the process's descriptor limit: half of it, at most 1,024. */
    static int limitFor(long maxDescriptors) {
        return (int) Math.max(16, Math.min(1024, maxDescriptors / 2));
    }

    /** The sweep every second and the refusal summary every interval, on the connector's scheduler, while it runs. */
    @Override
    protected void doStart() throws Exception {
        super.doStart();
        every(Duration.ofSeconds(1), this::sweep);
        every(refusals.interval(), refusals::summarize);
    }

    private void every(Duration period, Runnable task) {
        getScheduler().schedule(() -> {
            if (isRunning()) {
                try {
                    task.run();
                } finally {
                    every(period, task);
                }
            }
        }, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    int openConnections() {
        return open.get();
    }

    int limit() {
        return limit;
    }

    @Override
    public void onOpened(Connection connection) {
        long now = System.nanoTime();
        Tracked t = new Tracked(connection, now);
        tracked.put(connection, t);
        oldestFirst.add(t);
        if (open.incrementAndGet() > room) {
            makeRoom(now, 1);
        }
    }

    @Override
    public void onClosed(Connection connection) {
        Tracked t = tracked.remove(connection);
        if (t != null) {
            t.closed = true;
            open.decrementAndGet();
        }
    }

    /**
     * Closes up to {@code count} connections, oldest first: those that have been in the middle of
     * a request for over a second (a callback takes milliseconds), then, if that is not enough,
     * those idle for over a second. A connection that has just started a request, such as a
     * pooled keep-alive connection Twilio or the tunnel reuses, is never closed to make room.
     */
    private void makeRoom(long now, int count) {
        int left = count;
        for (int pass = 0; pass < 2 && left > 0; pass++) {
            for (Iterator<Tracked> it = oldestFirst.iterator(); it.hasNext() && left > 0; ) {
                Tracked t = it.next();
                if (!t.closed && (pass == 0 ? slow(t, now) : idle(t, now))) {
                    close(t, "closed to make room for new connections (" + open.get() + " open)");
                    left--;
                }
            }
        }
    }

    private static boolean slow(Tracked t, long now) {
        return t.requestSeenAt != 0 && now - t.requestSeenAt > ROOM_FOR_NEW.toNanos()
                && t.connection.getMessagesOut() == t.answered;
    }

    private static boolean idle(Tracked t, long now) {
        return now - t.progressAt > ROOM_FOR_NEW.toNanos() && t.connection.getMessagesOut() == t.answered
                && t.connection.getBytesIn() == t.bytesIn;
    }

    /**
     * Runs every second: closes each connection that has not completed a request within the
     * deadline (one that sent part of a request in that time is counted as refused, an idle one
     * is just closed), then, above {@code room}, the oldest slow ones, so that accepting (paused
     * at the limit) resumes.
     */
    void sweep() {
        long now = System.nanoTime();
        int closing = 0;
        for (Iterator<Tracked> it = oldestFirst.iterator(); it.hasNext(); ) {
            Tracked t = it.next();
            if (t.closed) {
                it.remove();
                continue;
            }
            long answered = t.connection.getMessagesOut();
            long bytesIn = t.connection.getBytesIn();
            if (answered != t.answered) {
                t.answered = answered;
                t.bytesIn = bytesIn;
                t.progressAt = now;
                t.requestSeenAt = 0;
            } else if (now - t.progressAt > deadline.toNanos()) {
                closing++;
                if (bytesIn == t.bytesIn) {
                    t.closed = true;
                    t.connection.close();
                } else {
                    close(t, "no complete request within " + deadline.toSeconds() + " s");
                }
            } else if (bytesIn != t.bytesIn && t.requestSeenAt == 0) {
                t.requestSeenAt = now;
            }
        }
        int excess = open.get() - closing - room;
        if (excess > 0) {
            makeRoom(now, excess);
        }
    }

    private void close(Tracked t, String reason) {
        t.closed = true;
        EndPoint endPoint = t.connection.getEndPoint();
        refusals.refused(() -> address(endPoint), "Closed a connection", reason);
        endPoint.close();
    }

    private static String address(EndPoint endPoint) {
        var remote = endPoint.getRemoteSocketAddress();
        return remote instanceof java.net.InetSocketAddress inet ? inet.getAddress().getHostAddress() : String.valueOf(remote);
    }

    /** Counted with the refusals, not logged with a stack trace each time; retried after a short pause. */
    @Override
    protected boolean handleAcceptFailure(Throwable failure) {
        if (!isRunning() || failure instanceof InterruptedException || failure instanceof java.nio.channels.ClosedByInterruptException) {
            return super.handleAcceptFailure(failure);
        }
        refusals.refused(() -> "a client", "Could not accept a connection",
                failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage());
        try {
            Thread.sleep(100);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
