package io.agentpay.gateway.tunnel;

import com.ngrok.Forwarder;
import com.ngrok.Session;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An ngrok HTTPS tunnel to the callback port, opened with ngrok-java. Its native library comes
 * from the {@code ngrok} Maven profile; without it, {@link #open} says so and how to fix it. ngrok's
 * agent reconnects its session by itself; a missed heartbeat or a stop command from the ngrok
 * dashboard is reported through {@link #onTrouble}, and {@link #reopen} opens a fresh session when
 * the tunnel stays unreachable.
 */
public final class NgrokTunnel implements Tunnel {
    private final Session session;
    private final Forwarder.Endpoint forwarder;
    private final URI publicUrl;
    private final String authToken;
    private final String domain;
    private final int localPort;
    private final AtomicReference<Runnable> trouble;

    private NgrokTunnel(Session session, Forwarder.Endpoint forwarder, String authToken, String domain, int localPort,
                        AtomicReference<Runnable> trouble) {
        this.session = session;
        this.forwarder = forwarder;
        this.publicUrl = URI.create(forwarder.getUrl());
        this.authToken = authToken;
        this.domain = domain;
        this.localPort = localPort;
        this.trouble = trouble;
    }

    /** True when ngrok-java's native part is on the classpath. */
    public static boolean nativeLibraryPresent() {
        try {
            Class.forName("com.ngrok.NativeSession", false, NgrokTunnel.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    public static NgrokTunnel open(String authToken, String domain, int localPort) throws IOException {
        return open(authToken, domain, localPort, new AtomicReference<>(() -> { }));
    }

    private static NgrokTunnel open(String authToken, String domain, int localPort, AtomicReference<Runnable> trouble)
            throws IOException {
        if (!nativeLibraryPresent()) {
            throw new IOException("NGROK_AUTH_TOKEN is set but this build has no ngrok native library (ngrok-java-native). "
                    + "Rebuild with './mvnw -B -Pngrok package' on a machine that can download it, or set PUBLIC_URL to "
                    + "your own public URL instead.");
        }
        Session session;
        try {
            session = Session.withAuthtoken(authToken)
                    .metadata("twilio-agent-payments-mcp-gateway")
                    .heartbeatHandler(new Session.HeartbeatHandler() {
                        @Override
                        public void heartbeat(long latencyMillis) {
                            // healthy; the periodic end-to-end check confirms recovery
                        }

                        @Override
                        public void timeout() {
                            trouble.get().run();
                        }
                    })
                    .stopCallback(() -> trouble.get().run())
                    .connect();
        } catch (IOException | RuntimeException | LinkageError e) {
            throw new IOException("Could not connect to ngrok: " + e.getMessage() + ". Check NGROK_AUTH_TOKEN and this "
                    + "machine's internet connection.", e);
        }
        try {
            var builder = session.httpEndpoint();
            if (domain != null) {
                builder.domain(domain);
            }
            return new NgrokTunnel(session, builder.forward(new URL("http://localhost:" + localPort)), authToken, domain,
                    localPort, trouble);
        } catch (IOException | RuntimeException e) {
            closeQuietly(session);
            throw new IOException("ngrok refused the tunnel" + (domain != null ? " for domain " + domain : "") + ": "
                    + e.getMessage() + (domain != null ? ". The domain may already be in use by another running instance." : ""), e);
        }
    }

    @Override
    public URI publicUrl() {
        return publicUrl;
    }

    @Override
    public String whatToCheck() {
        return "Check this machine's internet connection and the ngrok dashboard (agent sessions"
                + (domain != null ? ", domain " + domain : "") + "); the server reopens the tunnel by itself.";
    }

    @Override
    public Tunnel reopen() throws IOException {
        close();
        return open(authToken, domain, localPort, trouble);
    }

    @Override
    public void onTrouble(Runnable listener) {
        trouble.set(listener);
    }

    @Override
    public void close() {
        try {
            forwarder.close();
        } catch (Exception e) {
            // closing the session below ends the forwarder too
        }
        closeQuietly(session);
    }

    private static void closeQuietly(Session session) {
        try {
            session.close();
        } catch (Exception e) {
            // nothing left to release
        }
    }
}
