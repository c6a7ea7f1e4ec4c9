package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.mcp.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The jar driven line by line, as a host does: every stdout line must be JSON-RPC, bad lines get
 * an error answer and the session goes on, and the process leaves within 2 s of stdin closing or SIGTERM.
 */
@Timeout(60)
class RawStdioIT {
    private Process process;

    @AfterEach
    void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private BufferedReader start() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(JarProcess.command("--sandbox", "--callback-port", "0"));
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        process = builder.start();
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    private void send(String line) throws Exception {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private static JsonNode readMessage(BufferedReader out, List<String> seen) throws Exception {
        String line = out.readLine();
        assertThat(line).as("stdout ended early").isNotNull();
        seen.add(line);
        JsonNode node = Json.MAPPER.readTree(line);
        assertThat(node.path("jsonrpc").asText()).as(line).isEqualTo("2.0");
        return node;
    }

    /** Reads messages until the response with {@code id}, checking every line on the way. */
    private static JsonNode response(BufferedReader out, int id, List<String> seen) throws Exception {
        while (true) {
            JsonNode node = readMessage(out, seen);
            if (node.has("id") && node.path("id").asInt(-1) == id) {
                return node;
            }
        }
    }

    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
            + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw-test\",\"version\":\"1\"}}}";

    @Test
    void everyStdoutLineIsJsonRpcAndBadInputGetsAnErrorAnswer() throws Exception {
        BufferedReader out = start();
        List<String> seen = new ArrayList<>();
        send(INITIALIZE);
        assertThat(response(out, 1, seen).path("result").path("serverInfo").path("name").asText())
                .isEqualTo("twilio-agent-payments-mcp-gateway");
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        send("this is not json");
        JsonNode parseError = readMessage(out, seen);
        assertThat(parseError.path("error").path("code").asInt()).isEqualTo(-32700);
        send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"no/such/method\"}");
        assertThat(response(out, 2, seen).path("error").path("code").asInt()).isEqualTo(-32601);
        send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}");
        assertThat(response(out, 3, seen).path("result").path("tools").size()).isEqualTo(10);
        send("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"startPaymentCapture\","
                + "\"arguments\":{\"callSid\":\"CAfedcba9876543210fedcba9876543210\"}}}");
        JsonNode started = response(out, 4, seen);
        assertThat(started.path("result").path("isError").asBoolean()).isFalse();
        assertThat(started.path("result").path("content").get(0).path("text").asText()).contains("Sandbox");
        process.getOutputStream().close();
        long closedAt = System.nanoTime();
        String rest;
        while ((rest = out.readLine()) != null) {
            seen.add(rest);
            assertThat(Json.MAPPER.readTree(rest).path("jsonrpc").asText()).as(rest).isEqualTo("2.0");
        }
        assertThat(process.waitFor(2, TimeUnit.SECONDS)).as("exited within 2 s of stdin closing").isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt)).isLessThan(2000);
        assertThat(process.exitValue()).isZero();
        assertThat(seen).allSatisfy(line -> assertThat(line).startsWith("{"));
    }

    @Test
    void sigtermEndsTheProcessWithinTwoSeconds() throws Exception {
        BufferedReader out = start();
        send(INITIALIZE);
        response(out, 1, new ArrayList<>());
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        Thread.sleep(500);
        process.destroy();
        assertThat(process.waitFor(2, TimeUnit.SECONDS)).as("exited within 2 s of SIGTERM").isTrue();
    }
}
