package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.callback.TwilioPost;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.tunnel.TcpRelay;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code notifications/cancelled} over raw stdio: a getPaymentStatus call waiting on a caller who
 * keys nothing is cancelled; its wait ends, no answer is ever sent for it, and everything else is
 * still answered. A wait cancelled while it runs is logged on stderr.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a blocking write or post cannot be interrupted otherwise
class CancelledRequestIT {
    static final String CALL = "CAfedcba9876543210fedcba9876543210";

    private PaySimulator twilio;
    private Process process;
    private TcpRelay relay;
    /** Every line the jar wrote on stdout, parsed, in order. */
    private final List<JsonNode> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (process != null) {
            process.destroyForcibly();
        }
        if (twilio != null) {
            twilio.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    private void send(String line) throws Exception {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** The answer to request {@code id}, once the jar has written it. */
    private JsonNode answer(int id) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> {
            assertThat(process.isAlive()).as("the jar exited: %s", stderr).isTrue();
            return stdout.stream().filter(n -> n.path("id").asInt(-1) == id && !n.has("method")).findFirst();
        }, Optional::isPresent).get();
    }

    /** Both output streams read into the lists on threads of their own (a line not JSON fails the test). */
    private void drain() {
        JarProcess.readLines(process.getErrorStream(), stderr::add, "jar-stderr");
        JarProcess.readLines(process.getInputStream(), line -> {
            try {
                stdout.add(Json.MAPPER.readTree(line));
            } catch (IOException e) {
                stdout.add(Json.MAPPER.createObjectNode().put("notJson", line));
            }
        }, "jar-stdout");
    }

    private static String toolCall(int id, String tool, String arguments) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":{" + arguments + "}}}";
    }

    /**
     * Launches the jar ({@code jvmFlags} before {@code -jar}), initializes it and starts a payment whose card number the
     * simulated caller never keys (the keying is slowed to half an hour); returns the session's tool arguments.
     */
    private String startPayment(String... jvmFlags) throws Exception {
        twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), Duration.ofMinutes(30));
        PaySimulator.Credentials c = twilio.credentials();
        // The public URL is a relay the test owns; the jar binds any free port and says which on stderr.
        relay = new TcpRelay();
        int publicPort = relay.start();
        List<String> command = JarProcess.command(c.accountSid(), c.apiKey(), c.apiSecret());
        command.addAll(1, List.of(jvmFlags));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(Map.of("PUBLIC_URL", "http://localhost:" + publicPort, "CALLBACK_PORT",
                "0", "TWILIO_API_BASE_URL", twilio.baseUrl().toString(), "TWILIO_AUTH_TOKEN", c.authToken()));
        process = builder.start();
        drain();

        send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw-test\",\"version\":\"1\"}}}");
        answer(1);
        relay.target(JarProcess.callbackPort(stderr)); // the callback endpoint opens once the SDK is built
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"debug\"}}");
        answer(2);
        String session = "\"callSid\":\"" + CALL + "\"";
        send(toolCall(3, "startPaymentCapture", session));
        String paymentSid = Json.MAPPER.readTree(answer(3).path("result").path("content").get(0).path("text")
                .asText()).path("paymentSid").asText();
        session += ",\"paymentSid\":\"" + paymentSid + "\"";
        send(toolCall(4, "captureCardNumber", session + ",\"waitSeconds\":0"));
        assertThat(answer(4).path("result").path("structuredContent").path("outcome").asText()).isEqualTo("accepted");
        return session;
    }

    @Test
    void aCancelledWaitEndsAndIsNeverAnswered() throws Exception {
        String session = startPayment();
        send(toolCall(5, "getPaymentStatus", session + ",\"waitSeconds\":50"));
        send("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\"}");
        answer(6);
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":5,\"reason\":\"user\"}}");
        // The cancellation may reach the server before the tool's wait has even begun (then it never starts) or
        // while it waits (then it ends, logging "was cancelled by the client"): either way no answer may follow.
        // A change that would have ended the wait, had it still been running, then more requests.
        send(toolCall(7, "cancelPaymentCapture", session));
        assertThat(answer(7).path("result").path("structuredContent").path("state").asText()).isEqualTo("cancelled");
        send("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"ping\"}");
        answer(8);
        assertThat(stdout).noneMatch(n -> n.path("id").asInt(-1) == 5);
    }

    @Test
    void aWaitCancelledWhileItRunsIsLoggedOnStderrAndNeverAnswered() throws Exception {
        // The line is logged at debug: an operator turns that on for the tools' logger as for any other.
        String session = startPayment("-Dorg.slf4j.simpleLogger.log.agentpay.tools=debug");
        String paymentSid = Json.MAPPER.readTree("{" + session + "}").path("paymentSid").asText();
        send("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"getPaymentStatus\","
                + "\"arguments\":{" + session + ",\"waitSeconds\":50},\"_meta\":{\"progressToken\":\"wait-5\"}}}");
        // Only a running wait reports the caller's keying as progress: keyed (a signed progress callback, as Twilio
        // posts it) until a progress notification comes, the wait has certainly begun when the cancellation arrives.
        HttpClient http = HttpClient.newHttpClient();
        AtomicInteger keyed = new AtomicInteger();
        await("a progress notification of the running wait").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    assertThat(keyPartly(http, paymentSid, 1 + keyed.getAndIncrement() % 15))
                            .as("the signed progress callback is taken").isEqualTo(200);
                    return stdout.stream().anyMatch(n -> "notifications/progress".equals(n.path("method").asText())
                            && "wait-5".equals(n.path("params").path("progressToken").asText()));
                });

        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":5,\"reason\":\"user\"}}");
        String logged = "getPaymentStatus: The wait for payment " + paymentSid + " was cancelled by the client.";
        await("the cancellation logged on stderr").atMost(Duration.ofSeconds(30))
                .until(() -> stderr.stream().anyMatch(line -> line.contains(logged)));
        // The server goes on answering, and never answers the cancelled request (MCP: it SHOULD NOT).
        send("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\"}");
        answer(6);
        assertThat(stdout).noneMatch(n -> n.path("id").asInt(-1) == 5 && !n.has("method"));
        assertThat(stdout).noneMatch(n -> n.has("notJson"));
    }

    /**
     * Posts the progress callback Twilio sends while the caller keys the card number, {@code digits} keyed so far
     * (masked), to the jar's callback port, signed over the status callback URL as Twilio signs it; returns the status.
     */
    private int keyPartly(HttpClient http, String paymentSid, int digits) throws Exception {
        String statusCallback = twilio.requests().stream().map(r -> r.params().get("StatusCallback"))
                .filter(Objects::nonNull).findFirst().orElseThrow();
        URI callbackPort = URI.create(statusCallback.replaceFirst("^https?://[^/]+", "http://127.0.0.1:"
                + JarProcess.callbackPort(stderr)));
        Map<String, String> progress = new LinkedHashMap<>();
        progress.put("AccountSid", twilio.credentials().accountSid());
        progress.put("CallSid", CALL);
        progress.put("Sid", paymentSid);
        progress.put("DateUpdated", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        progress.put("Capture", "payment-card-number");
        progress.put("PartialResult", "true");
        progress.put("PaymentCardNumber", "x".repeat(digits));
        return http.send(HttpRequest.newBuilder(callbackPort)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Twilio-Signature", TwilioPost.signature(twilio.credentials().authToken(), statusCallback, progress))
                .POST(HttpRequest.BodyPublishers.ofString(TwilioPost.form(progress))).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
