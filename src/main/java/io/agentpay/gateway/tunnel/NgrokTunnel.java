package io.agentpay.gateway.tunnel;

import com.ngrok.Forwarder;
import com.ngrok.Session;
import io.agentpay.gateway.state.CardData;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * An ngrok HTTPS tunnel to the callback port, opened with ngrok-java. Its native library comes
 * from the {@code ngrok} Maven profile; without it, {@link #open} says so and how to fix it. ngrok's
 * agent reconnects its session by itself; a missed heartbeat or a stop command from the ngrok
 * dashboard is reported through {@link #onTrouble}, and {@link #reopen} opens a fresh session when
 * the tunnel stays unreachable.
 */
public final class NgrokTunnel implements Tunnel {
    /** An ngrok authtoken is a long run of letters, digits, '_' and '-'; no word of an error message is that long. */
    private static final Pattern TOKEN_LIKE = Pattern.compile("[A-Za-z0-9_-]{24,}");

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

    /**
     * Opens the tunnel, or, when ngrok cannot be reached or refuses it now, a tunnel that is not open
     * yet and that the {@link TunnelMonitor} keeps trying to open. Without the native library no retry
     * can help, so that still fails at once.
     */
    public static Tunnel openOrRetry(String authToken, String domain, int localPort) throws IOException {
        if (!nativeLibraryPresent()) {
            return open(authToken, domain, localPort);
        }
        try {
            return open(authToken, domain, localPort);
        } catch (IOException e) {
            return new UnopenedTunnel(() -> open(authToken, domain, localPort), e.getMessage(),
                    "Check NGROK_AUTH_TOKEN" + (domain != null ? ", NGROK_CUSTOM_DOMAIN " + domain : "")
                            + " and this machine's internet connection; the server keeps trying to open the tunnel.");
        }
    }

    /**
     * ngrok's own error text, safe to log and show: its bad-token errors repeat the authtoken, so the
     * configured token and anything shaped like one (a long run of token characters) are dropped,
     * and card data is scrubbed as everywhere else. The cause is never kept, so nothing downstream
     * can print the original.
     */
    static String safeMessage(Throwable e, String authToken) {
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (authToken != null && !authToken.isBlank()) {
            text = text.replace(authToken.strip(), "[authtoken]");
        }
        return CardData.scrubText(TOKEN_LIKE.matcher(text).replaceAll("[redacted]"));
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
            throw new IOException("Could not connect to ngrok: " + safeMessage(e, authToken) + ". Check NGROK_AUTH_TOKEN and "
                    + "this machine's internet connection.");
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
                    + safeMessage(e, authToken) + (domain != null ? ". The domain may already be in use by another running instance." : ""));
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
