package io.agentpay.gateway.tunnel;

import java.io.IOException;
import java.net.URI;

/**
 * A tunnel the server owns (ngrok) that failed to open at start-up. It has no URL yet; the
 * {@link TunnelMonitor} calls {@link #reopen} with backoff until it opens, and reports it as
 * unreachable meanwhile, through the same warnings as a tunnel that dropped.
 */
public final class UnopenedTunnel implements Tunnel {
    /** Opens the real tunnel; its failures carry a message safe to show. */
    @FunctionalInterface
    public interface Opener {
        Tunnel open() throws IOException;
    }

    private static final URI NO_URL = URI.create("https://tunnel-not-open.invalid");

    private final Opener opener;
    private final String failure;
    private final String whatToCheck;

    public UnopenedTunnel(Opener opener, String failure, String whatToCheck) {
        this.opener = opener;
        this.failure = failure;
        this.whatToCheck = whatToCheck;
    }

    /** Why it did not open at start-up. */
    public String failure() {
        return failure;
    }

    @Override
    public boolean isOpen() {
        return false;
    }

    /** A URL that resolves nowhere, used while the tunnel is not open: no payment is sent to Twilio meanwhile. */
    @Override
    public URI publicUrl() {
        return NO_URL;
    }

    @Override
    public String whatToCheck() {
        return whatToCheck;
    }

    @Override
    public Tunnel reopen() throws IOException {
        return opener.open();
    }
}
