package io.agentpay.gateway.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Posts status callbacks the way Twilio does: form-encoded, signed with the account's auth
 * token ({@code X-Twilio-Signature}), with an {@code I-Twilio-Idempotency-Token}, one at a time
 * in the order they were scheduled.
 */
final class CallbackSender implements AutoCloseable {
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pay-simulator-callbacks");
        t.setDaemon(true);
        return t;
    });
    private final String authToken;
    private final java.util.concurrent.atomic.AtomicLong posted = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

    CallbackSender(String authToken) {
        this.authToken = authToken;
    }

    /** Sends {@code fields} to {@code url} after {@code delay}; {@code times} > 1 redelivers it with the same token. */
    void send(String url, Map<String, String> fields, Duration delay, int times) {
        String token = UUID.randomUUID().toString();
        for (int i = 0; i < times; i++) {
            inFlight.incrementAndGet();
            executor.schedule(() -> {
                try {
                    post(url, fields, token);
                } finally {
                    inFlight.decrementAndGet();
                }
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Callbacks scheduled and not yet answered by the receiver (or given up on). */
    int inFlight() {
        return inFlight.get();
    }

    /** Runs {@code action} on the callback thread after {@code delay}, in order with the callbacks. */
    void later(Runnable action, Duration delay) {
        executor.schedule(action, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void post(String url, Map<String, String> fields, String token) {
        StringBuilder body = new StringBuilder();
        fields.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v)));
        // HttpURLConnection, as the server's own Twilio client uses: java.net.http's client would set up TLS
        // (hundreds of classes) for these plain loopback posts.
        HttpURLConnection connection = null;
        try {
            byte[] form = body.toString().getBytes(StandardCharsets.UTF_8);
            connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(2000);
            connection.setReadTimeout(5000);
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(form.length);
            connection.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
            connection.setRequestProperty("X-Twilio-Signature", sign(url, fields));
            connection.setRequestProperty("I-Twilio-Idempotency-Token", token);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(form);
            }
            int status = connection.getResponseCode();
            try (InputStream answer = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (answer != null) {
                    answer.transferTo(OutputStream.nullOutputStream());
                }
            }
            posted.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            // Twilio gives up on an unreachable callback URL too; the session state simply does not move.
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    long posted() {
        return posted.get();
    }

    /** Twilio's algorithm: HMAC-SHA1 of the URL followed by each parameter name and value, sorted by name. */
    String sign(String url, Map<String, String> fields) {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(fields).forEach((k, v) -> data.append(k).append(v));
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is not available", e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
