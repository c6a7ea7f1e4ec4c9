package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.tunnel.TcpRelay;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code notifications/cancelled} over raw stdio: a getPaymentStatus call waiting on a caller who
 * keys nothing is cancelled; its wait ends, no answer is ever sent for it, and everything else is
 * still answered.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a blocking readLine cannot be interrupted otherwise
class CancelledRequestIT {
    static final String CALL = "CAfedcba9876543210fedcba9876543210";

    private PaySimulator twilio;
    private Process process;
    private TcpRelay relay;

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

    /** Reads lines until the answer with {@code id}, keeping every line seen. */
    private static JsonNode answer(BufferedReader out, int id, List<JsonNode> seen) throws Exception {
        while (true) {
            String line = out.readLine();
            assertThat(line).as("stdout ended early").isNotNull();
            JsonNode node = Json.MAPPER.readTree(line);
            seen.add(node);
            if (node.path("id").asInt(-1) == id) {
                return node;
            }
        }
    }

    private static String toolCall(int id, String tool, String arguments) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":{" + arguments + "}}}";
    }

    @Test
    void aCancelledWaitEndsAndIsNeverAnswered() throws Exception {
        // The simulated caller keys nothing for half an hour: only the cancellation can end the wait early.
        twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), Duration.ofMinutes(30));
        PaySimulator.Credentials c = twilio.credentials();
        // The public URL is a relay the test owns; the jar binds any free port and says which on stderr.
        relay = new TcpRelay();
        int publicPort = relay.start();
        ProcessBuilder builder = new ProcessBuilder(JarProcess.command(c.accountSid(), c.apiKey(), c.apiSecret()));
        builder.environment().putAll(java.util.Map.of("PUBLIC_URL", "http://localhost:" + publicPort, "CALLBACK_PORT",
                "0", "TWILIO_API_BASE_URL", twilio.baseUrl().toString(), "TWILIO_AUTH_TOKEN", c.authToken()));
        process = builder.start();
        List<String> stderr = new CopyOnWriteArrayList<>();
        Thread drain = new Thread(() -> new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8)).lines().forEach(stderr::add), "jar-stderr");
        drain.setDaemon(true);
        drain.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<JsonNode> seen = new ArrayList<>();

        send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw-test\",\"version\":\"1\"}}}");
        answer(out, 1, seen);
        relay.target(JarProcess.callbackPort(stderr)); // the callback endpoint opens once the SDK is built
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"debug\"}}");
        answer(out, 2, seen);
        String session = "\"callSid\":\"" + CALL + "\"";
        send(toolCall(3, "startPaymentCapture", session));
        String paymentSid = Json.MAPPER.readTree(answer(out, 3, seen).path("result").path("content").get(0).path("text")
                .asText()).path("paymentSid").asText();
        session += ",\"paymentSid\":\"" + paymentSid + "\"";
        send(toolCall(4, "captureCardNumber", session + ",\"waitSeconds\":0"));
        assertThat(answer(out, 4, seen).path("result").path("structuredContent").path("outcome").asText()).isEqualTo("accepted");

        send(toolCall(5, "getPaymentStatus", session + ",\"waitSeconds\":50"));
        send("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\"}");
        answer(out, 6, seen);
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":5,\"reason\":\"user\"}}");
        // The cancellation may reach the server before the tool's wait has even begun (then it never starts) or
        // while it waits (then it ends, logging "was cancelled by the client"): either way no answer may follow.
        // A change that would have ended the wait, had it still been running, then more requests.
        send(toolCall(7, "cancelPaymentCapture", session));
        assertThat(answer(out, 7, seen).path("result").path("structuredContent").path("state").asText()).isEqualTo("cancelled");
        send("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"ping\"}");
        answer(out, 8, seen);
        assertThat(seen).noneMatch(n -> n.path("id").asInt(-1) == 5);
    }
}
