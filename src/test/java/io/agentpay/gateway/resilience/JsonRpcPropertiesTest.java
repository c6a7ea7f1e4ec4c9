package io.agentpay.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.ToolResultCheck;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.ServerAssembly;
import io.agentpay.gateway.mcp.StdioTransportProvider;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpSyncServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * 10,000 hostile JSON-RPC lines into the real MCP server over the stdio transport: invalid JSON,
 * wrong types, missing ids, unknown methods, huge strings, deep nesting. Every line the server
 * writes stays JSON-RPC, and it keeps answering real requests.
 */
class JsonRpcPropertiesTest {
    static GatewayFixture gateway;
    static McpSyncServer server;
    static OutputStream stdin;
    static final List<String> stdout = new CopyOnWriteArrayList<>();
    static int nextId = 1_000_000;

    @BeforeContainer
    static void start() throws Exception {
        gateway = new GatewayFixture();
        PipedOutputStream feed = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(feed, 1 << 20);
        OutputStream out = new OutputStream() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public synchronized void write(int b) {
                if (b == '\n') {
                    stdout.add(line.toString());
                    line.setLength(0);
                } else {
                    line.append((char) b);
                }
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                String text = new String(b, off, len, StandardCharsets.UTF_8);
                for (char c : text.toCharArray()) {
                    if (c == '\n') {
                        stdout.add(line.toString());
                        line.setLength(0);
                    } else {
                        line.append(c);
                    }
                }
            }
        };
        StdioTransportProvider transport = new StdioTransportProvider(new JacksonMcpJsonMapper(Json.MAPPER), Json.MAPPER, in, out,
                new StdioTransportProvider.Listener() {});
        server = ServerAssembly.build(transport, new JacksonMcpJsonMapper(Json.MAPPER), gateway.context, gateway.components, "test");
        stdin = feed;
        send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"props\",\"version\":\"1\"}}}");
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    }

    @AfterContainer
    static void stop() throws Exception {
        checkTheServerStillAnswers();
        aWholePaymentStillCompletes();
        stdin.close();
        server.close();
        gateway.close();
    }

    static void send(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    @Provide
    Arbitrary<String> hostileLines() {
        Arbitrary<String> ids = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.just("\"id\":null,"),
                Arbitraries.integers().map(i -> "\"id\":" + i + ","), Arbitraries.just("\"id\":{\"a\":1},"),
                Arbitraries.strings().alpha().ofMaxLength(8).map(s -> "\"id\":\"" + s + "\","));
        Arbitrary<String> methods = Arbitraries.oneOf(Arbitraries.of("tools/call", "tools/list", "resources/read", "prompts/get",
                "completion/complete", "logging/setLevel", "resources/subscribe", "initialize", "ping"),
                Arbitraries.strings().alpha().ofMaxLength(20));
        Arbitrary<String> params = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.just(",\"params\":42"),
                Arbitraries.just(",\"params\":[]"), Arbitraries.just(",\"params\":{\"name\":7,\"arguments\":\"x\"}"),
                Arbitraries.just(",\"params\":{\"uri\":\"payment://nope\"}"),
                Arbitraries.just(",\"params\":{\"name\":\"captureCardNumber\",\"arguments\":{\"callSid\":[]}}"),
                Arbitraries.just(",\"params\":{\"level\":\"shout\"}"),
                Arbitraries.strings().ofMaxLength(40).map(s -> ",\"params\":{\"x\":" + Json.write(s) + "}"));
        Arbitrary<String> structured = net.jqwik.api.Combinators.combine(ids, methods, params)
                .as((id, method, p) -> "{\"jsonrpc\":\"2.0\"," + id + "\"method\":" + Json.write(method) + p + "}");
        return Arbitraries.oneOf(structured,
                Arbitraries.strings().ofMaxLength(100).map(s -> s.replace('\n', ' ')),
                Arbitraries.integers().between(100, 3000).map(n -> "[".repeat(n) + "]".repeat(n)),
                Arbitraries.integers().between(1, 2000).map(n -> "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"x\":\""
                        + "a".repeat(n * 50) + "\"}"),
                Arbitraries.just("{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"ping\"}"),
                Arbitraries.just("{\"id\":4,\"method\":\"ping\"}"));
    }

    @Property
    void everyHostileLineGetsItsOwnAnswerAndLeavesTheSessionServingJsonRpc(@ForAll("hostileLines") String line) throws Exception {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(line);
        } catch (java.io.IOException e) {
            node = null;
        }
        if (node instanceof ObjectNode request && request.path("id").isIntegralNumber() && request.has("method")
                && "2.0".equals(request.path("jsonrpc").asText())) {
            // A request: it gets an answer of its own, a result or an error with a message.
            int id = nextId++;
            request.put("id", id);
            int from = stdout.size();
            send(request.toString());
            JsonNode answer = answerTo(id, from);
            assertThat(answer.has("result") || !answer.path("error").path("message").asText().isBlank()).as(answer.toString()).isTrue();
        } else if (!line.isBlank() && (node == null || !node.isObject())) {
            // Not JSON, or not an object: an error with id null, so the client knows a line was refused.
            // (A blank line is no message at all and is skipped.)
            int from = stdout.size();
            send(line);
            await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> since(from).anyMatch(l -> l.contains("\"id\":null")));
        } else {
            send(line);
        }
    }

    static java.util.stream.Stream<String> since(int from) {
        return java.util.stream.IntStream.range(from, stdout.size()).mapToObj(stdout::get);
    }

    static JsonNode answerTo(int id, int from) throws java.io.IOException {
        String marker = "\"id\":" + id + ",";
        await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                .until(() -> since(from).anyMatch(l -> l.contains(marker)));
        return Json.MAPPER.readTree(since(from).filter(l -> l.contains(marker)).findFirst().orElseThrow());
    }

    static JsonNode callTool(String name, Map<String, Object> arguments) throws Exception {
        int id = nextId++;
        int from = stdout.size();
        send(Json.write(Map.of("jsonrpc", "2.0", "id", id, "method", "tools/call", "params",
                Map.of("name", name, "arguments", arguments))));
        JsonNode answer = answerTo(id, from);
        assertThat(answer.path("result").path("isError").asBoolean()).as(answer.toString()).isFalse();
        ToolResultCheck.check(gateway.tool(name).tool(), Json.MAPPER.treeToValue(answer.path("result"), io.modelcontextprotocol.spec.McpSchema.CallToolResult.class));
        return Json.MAPPER.readTree(answer.path("result").path("content").get(0).path("text").asText());
    }

    /** After all the hostile lines, a whole payment still runs through the same session. */
    static void aWholePaymentStillCompletes() throws Exception {
        gateway.completeAPayment("CA0123456789abcdef0123456789abcdef", JsonRpcPropertiesTest::callTool);
    }

    /** After all the hostile lines: every line written was JSON-RPC, and a real request is still answered. */
    static void checkTheServerStillAnswers() throws Exception {
        int id = nextId++;
        send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/list\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> stdout.stream().anyMatch(l -> l.contains("\"id\":" + id + ",")));
        for (String line : stdout) {
            JsonNode node = Json.MAPPER.readTree(line);
            assertThat(node.path("jsonrpc").asText()).as(line).isEqualTo("2.0");
        }
        assertThat(stdout.stream().filter(l -> l.contains("\"id\":" + id + ",")).findFirst().orElseThrow())
                .contains("startPaymentCapture");
    }
}
