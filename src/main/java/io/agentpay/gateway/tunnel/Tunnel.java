package io.agentpay.gateway.tunnel;

import java.io.IOException;
import java.net.URI;

/** How Twilio reaches the local callback endpoint: the public base URL, how to reopen it, and a way to close it. */
public interface Tunnel extends AutoCloseable {
    URI publicUrl();

    /** What a user should check when the public URL stops reaching this server, in one or two sentences. */
    String whatToCheck();

    /**
     * Opens this tunnel again after it stopped carrying requests; returns the tunnel to use from
     * now on, which may have another URL. A tunnel the server does not own returns itself.
     */
    default Tunnel reopen() throws IOException {
        return this;
    }

    /** False for a tunnel that has not opened yet ({@link UnopenedTunnel}): it has no public URL to check. */
    default boolean isOpen() {
        return true;
    }

    /** Called when the tunnel's own agent reports trouble, so the server can check at once instead of waiting. */
    default void onTrouble(Runnable listener) {}

    @Override
    default void close() {}
}
