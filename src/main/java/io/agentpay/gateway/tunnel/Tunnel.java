package io.agentpay.gateway.tunnel;

import java.net.URI;

/** How Twilio reaches the local callback endpoint: the public base URL, and a way to close it. */
public interface Tunnel extends AutoCloseable {
    URI publicUrl();

    @Override
    default void close() {}
}
