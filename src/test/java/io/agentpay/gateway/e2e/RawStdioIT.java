package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.json.Json;
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
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a blocking readLine cannot be interrupted otherwise
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
        return until(out, node -> node.path("id").isIntegralNumber() && node.path("id").asInt() == id && !node.has("method"), seen);
    }

    /** Reads messages until one matches, checking every line on the way (log notifications may come in between). */
    private static JsonNode until(BufferedReader out, java.util.function.Predicate<JsonNode> wanted, List<String> seen) throws Exception {
        while (true) {
            JsonNode node = readMessage(out, seen);
            if (wanted.test(node)) {
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
        JsonNode parseError = until(out, node -> node.has("error") && node.path("id").isNull(), seen);
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
        String rest;
        while ((rest = out.readLine()) != null) {
            seen.add(rest);
            assertThat(Json.MAPPER.readTree(rest).path("jsonrpc").asText()).as(rest).isEqualTo("2.0");
        }
        assertThat(process.waitFor(2, TimeUnit.SECONDS)).as("exited within 2 s of stdin closing").isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(seen).allSatisfy(line -> assertThat(line).startsWith("{"));
    }

    @Test
    void sigtermEndsTheProcessWithinTwoSeconds() throws Exception {
        BufferedReader out = start();
        send(INITIALIZE);
        response(out, 1, new ArrayList<>());
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
        response(out, 2, new ArrayList<>());
        process.destroy();
        assertThat(process.waitFor(2, TimeUnit.SECONDS)).as("exited within 2 s of SIGTERM").isTrue();
    }

    @Test
    void aPingBeforeInitializeAndAnInitializeWithoutParamsEachGetOneAnswerAndTheSessionGoesOn() throws Exception {
        BufferedReader out = start();
        List<String> seen = new ArrayList<>();
        send("{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"ping\"}");
        assertThat(response(out, 10, seen).path("result").isEmpty()).isTrue();
        send("{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"initialize\"}");
        send("{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":[],\"clientInfo\":{\"name\":\"raw-test\",\"version\":\"1\"}}}");
        send(INITIALIZE);
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        send("{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"tools/call\",\"params\":{\"name\":\"startPaymentCapture\","
                + "\"arguments\":{\"callSid\":\"CAfedcba9876543210fedcba9876543210\"}}}");
        JsonNode started = response(out, 13, seen);
        assertThat(started.path("result").path("isError").asBoolean()).as(started.toString()).isFalse();
        for (int id : new int[] {11, 12}) {
            List<JsonNode> answers = seen.stream().map(RawStdioIT::tree)
                    .filter(n -> n.path("id").asInt(-1) == id && !n.has("method")).toList();
            assertThat(answers).as("answers to %d in %s", id, seen).singleElement()
                    .satisfies(answer -> assertThat(answer.path("error").path("code").asInt()).isEqualTo(-32602));
        }
        assertThat(seen.stream().map(RawStdioIT::tree).filter(n -> n.path("id").asInt(-1) == 1).count()).isEqualTo(1);
    }

    private static JsonNode tree(String line) {
        try {
            return Json.MAPPER.readTree(line);
        } catch (java.io.IOException e) {
            throw new AssertionError(line, e);
        }
    }
}
