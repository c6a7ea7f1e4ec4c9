package io.agentpay.gateway.tunnel;

import java.time.Instant;

/**
 * Whether Twilio's status callbacks can reach this server, as last checked end to end through the
 * public URL. {@code detail} says what failed and what to check; {@code everReachable} tells a
 * tunnel that dropped from one that could never be confirmed (some networks cannot reach their
 * own public URL from inside); {@code otherServer} says the URL was answered, but not by this
 * server (another instance, a proxy on the wrong port, a tunnel's "endpoint offline" page);
 * {@code notOpen} says the tunnel the server owns has not opened (yet), so there is no URL at all.
 */
public record Reachability(State state, String detail, Instant since, boolean everReachable, boolean otherServer,
                           boolean notOpen) {
    public enum State {
        /** The server is starting or the first check has not finished. */
        CHECKING,
        /** The last check reached this server's callback endpoint through the public URL. */
        REACHABLE,
        /** The last checks did not reach it; {@code detail} says why and what to check. */
        UNREACHABLE,
        /** Checking is turned off (TUNNEL_CHECK_INTERVAL=0). */
        UNCHECKED
    }

    public Reachability(State state, String detail, Instant since, boolean everReachable, boolean otherServer) {
        this(state, detail, since, everReachable, otherServer, false);
    }

    public static Reachability checking() {
        return new Reachability(State.CHECKING, "", Instant.now(), false, false);
    }

    /** True when callbacks are known not to arrive now although they did before: a tunnel that dropped. */
    public boolean dropped() {
        return state == State.UNREACHABLE && everReachable;
    }

    /**
     * True when it is certain that callbacks cannot arrive: the tunnel dropped or never opened, or
     * the URL is answered by another server. A URL that merely could not be reached from here is not certain.
     */
    public boolean certainlyUnreachable() {
        return state == State.UNREACHABLE && (everReachable || otherServer || notOpen);
    }
}
