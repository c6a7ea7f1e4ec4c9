package io.agentpay.gateway.e2e;

import io.agentpay.gateway.callback.TwilioPost;
import io.agentpay.gateway.sandbox.PaySimulator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real jar, launched as the README launches it, as a target for {@code bench/callbacks.sh}:
 * account credentials, {@code TWILIO_AUTH_TOKEN} (signatures checked) and a {@code PUBLIC_URL}, all
 * against the loopback Twilio emulator. Its secret callback path is learned the way Twilio learns
 * it, from the status callback URL of a real {@code startPaymentCapture} over stdio. Then it
 * checks that a signed post is taken and an unsigned one refused, prints {@code URL}, {@code PID},
 * {@code SIGN_URL} (the public URL Twilio signs over) and {@code TOKEN} (the emulator's auth token)
 * for {@code bench/signed-callback.lua}, and keeps the jar's stdout drained (its log notifications,
 * unparsed, as a host would read them) until its own stdin closes.
 * <p>
 * {@code bench/callbacks.sh} runs it: {@code SignedCallbackTarget OUTDIR}, the jar in {@code -Dgateway.jar},
 * JVM flags in {@code -Dbench.jvmFlags} (launched by {@link JarProcess#command}).
 */
public final class SignedCallbackTarget {
    private static final String PUBLIC_URL = "https://pay.example.com";
    private static final Pattern JSON_ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");

    private SignedCallbackTarget() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        // The simulated caller is slowed to hours: none of its callbacks competes with the load.
        try (PaySimulator twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), Duration.ofHours(1))) {
            PaySimulator.Credentials c = twilio.credentials();
            ProcessBuilder builder = new ProcessBuilder(JarProcess.command());
            Path stderr = out.resolve("jar-stderr.log");
            builder.redirectError(stderr.toFile());
            // The tunnel check is off: the public URL names a host this machine does not serve.
            builder.environment().putAll(Map.of("TWILIO_ACCOUNT_SID", c.accountSid(), "TWILIO_API_KEY", c.apiKey(),
                    "TWILIO_API_SECRET", c.apiSecret(), "TWILIO_AUTH_TOKEN", c.authToken(), "PUBLIC_URL", PUBLIC_URL,
                    "CALLBACK_PORT", "0", "TWILIO_API_BASE_URL", twilio.baseUrl().toString(), "TUNNEL_CHECK_INTERVAL", "0"));
            Process jarProcess = builder.start();
            try {
                run(twilio, jarProcess, stderr);
            } finally {
                jarProcess.getOutputStream().close();
                if (!jarProcess.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    jarProcess.destroy();
                }
            }
        }
    }

    private static void run(PaySimulator twilio, Process jar, Path stderr) throws Exception {
        PrintWriter in = new PrintWriter(new java.io.OutputStreamWriter(jar.getOutputStream(), StandardCharsets.UTF_8), true);
        BufferedReader stdout = new BufferedReader(new InputStreamReader(jar.getInputStream(), StandardCharsets.UTF_8));
        in.println("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"callback-bench\",\"version\":\"1\"}}}");
        answer(stdout, 1);
        in.println("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        in.println("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"startPaymentCapture\","
                + "\"arguments\":{\"callSid\":\"CAfedcba9876543210fedcba9876543210\"}}}");
        String started = answer(stdout, 2);
        if (started.contains("\"isError\":true")) {
            throw new IllegalStateException("startPaymentCapture failed: " + started);
        }
        String statusCallback = twilio.requests().stream().map(r -> r.params().get("StatusCallback"))
                .filter(s -> s != null && s.startsWith(PUBLIC_URL)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the emulator saw no StatusCallback"));
        String secretPath = statusCallback.substring(PUBLIC_URL.length());
        int port = JarProcess.callbackPort(stderr);
        String local = "http://127.0.0.1:" + port + secretPath;

        check(local, twilio.credentials().authToken(), statusCallback);

        Thread drain = new Thread(() -> discard(jar.getInputStream()), "drain-stdout");
        drain.setDaemon(true);
        drain.start();
        System.out.println("URL " + local);
        System.out.println("PID " + jar.pid());
        System.out.println("SIGN_URL " + statusCallback);
        System.out.println("TOKEN " + twilio.credentials().authToken());
        System.out.flush();
        while (System.in.read() >= 0) {
            // until bench/callbacks.sh closes our stdin
        }
    }

    /** A signed post must be taken (200) and the same post unsigned refused (403): the jar checks signatures. */
    private static void check(String local, String authToken, String publicUrl) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<String, String> fields = Map.of("Sid", String.format("PK%032d", 1), "AccountSid", "AC0123456789abcdef0123456789abcdef",
                "CallSid", String.format("CA%032d", 1), "Result", "success");
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(local))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(TwilioPost.form(fields)));
        int signed = http.send(post.copy().header("X-Twilio-Signature", TwilioPost.signature(authToken, publicUrl, fields)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        int unsigned = http.send(post.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        if (signed != 200 || unsigned != 403) {
            throw new IllegalStateException("expected 200 signed and 403 unsigned, got " + signed + " and " + unsigned);
        }
    }

    private static String answer(BufferedReader stdout, int id) throws IOException {
        for (String line; (line = stdout.readLine()) != null; ) {
            Matcher m = JSON_ID.matcher(line);
            if (m.find() && Integer.parseInt(m.group(1)) == id && !line.contains("\"method\"")) {
                return line;
            }
        }
        throw new IOException("the jar closed stdout before answering request " + id);
    }

    private static void discard(InputStream in) {
        byte[] buffer = new byte[64 * 1024];
        try (in; OutputStream sink = OutputStream.nullOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                sink.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // the jar exited
        }
    }
}
