package io.agentpay.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.json.Json;
import io.modelcontextprotocol.server.McpNotificationHandler;
import io.modelcontextprotocol.server.McpRequestHandler;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/**
 * The stdio transport as a host meets it, line by line: lines are handled in the order read even while
 * the session is being created, a ping is answered before initialization, and a request with bad params
 * gets exactly one {@code -32602} answer, after which the session goes on.
 */
@Timeout(60)
class StdioTransportProviderTest {
    static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
            + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"edge-test\",\"version\":\"1\"}}}";
    static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
    static final String TOOLS_LIST = "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"tools/list\"%s}";

    static GatewayFixture gateway;
    final Stdin stdin = new Stdin();
    final Stdout stdout = new Stdout();
    final CountDownLatch initialized = new CountDownLatch(1);
    StdioTransportProvider transport;
    McpSyncServer server;

    @BeforeAll
    static void gateway() throws Exception {
        gateway = new GatewayFixture();
    }

    @AfterAll
    static void stopGateway() {
        gateway.close();
    }

    @AfterEach
    void stop() {
        stdin.close();
        if (server != null) {
            server.close();
        }
    }

    /** stdin fed line by line; it knows the thread that reads it and whether that thread is waiting for input. */
    static final class Stdin extends InputStream {
        private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
        volatile Thread reader;
        volatile boolean waitingForInput;

        void send(String line) {
            chunks.add((line + "\n").getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void close() {
            chunks.add(new byte[0]);
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("the transport reads in chunks");
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            reader = Thread.currentThread();
            waitingForInput = true;
            try {
                byte[] chunk = chunks.take();
                if (chunk.length == 0) {
                    chunks.add(chunk);
                    return -1;
                }
                System.arraycopy(chunk, 0, buffer, offset, chunk.length);
                return chunk.length;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            } finally {
                waitingForInput = false;
            }
        }

        /** The reader has taken every line sent so far and asks for more. */
        boolean drained() {
            return chunks.isEmpty() && waitingForInput;
        }
    }

    /** stdout split into JSON-RPC messages. */
    static final class Stdout extends OutputStream {
        private final StringBuilder line = new StringBuilder();
        final List<JsonNode> messages = new CopyOnWriteArrayList<>();

        @Override
        public synchronized void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            for (char c : new String(bytes, offset, length, StandardCharsets.UTF_8).toCharArray()) {
                if (c != '\n') {
                    line.append(c);
                    continue;
                }
                try {
                    messages.add(Json.MAPPER.readTree(line.toString()));
                } catch (IOException e) {
                    throw new AssertionError("stdout line is not JSON: " + line, e);
                }
                line.setLength(0);
            }
        }

        List<JsonNode> answersTo(String id) {
            return messages.stream().filter(m -> m.path("id").asText("").equals(id) && !m.has("method")).toList();
        }

        /** Waits for the answer to {@code id}; earlier lines are all handled by then, so their answers are in. */
        JsonNode answerTo(String id) {
            return await().atMost(Duration.ofSeconds(20))
                    .until(() -> answersTo(id), answers -> !answers.isEmpty()).get(0);
        }
    }

    /** The transport wired as Main wires it: reading stdin, with the early answers, before the server exists. */
    private EarlyAnswers startTransport() {
        EarlyAnswers early = EarlyAnswers.forServer("9.9.9");
        transport = new StdioTransportProvider(() -> Json.MCP, () -> Json.MAPPER,
                new StdioChannel(stdin, stdout, early), new StdioTransportProvider.Listener() {
                    @Override
                    public void initialized() {
                        initialized.countDown();
                    }
                });
        transport.start();
        return early;
    }

    private void buildServer() {
        server = ServerAssembly.build(transport, Json.MCP, gateway.context, gateway.components, "9.9.9");
    }

    @Test
    void aLineReadWhileQueuedLinesAreHandledWaitsForThem() throws Exception {
        List<String> handled = new CopyOnWriteArrayList<>();
        CountDownLatch slowStarted = new CountDownLatch(1);
        McpRequestHandler<Object> slow = (exchange, params) -> Mono.fromCallable(() -> {
            slowStarted.countDown();
            // Either the next line overtakes this one, or the reader waits for it: nothing else can happen.
            await().atMost(Duration.ofSeconds(20)).until(() -> handled.contains("fast")
                    || !stdin.waitingForInput && stdin.reader.getState() == Thread.State.BLOCKED);
            handled.add("slow");
            return Map.of();
        });
        McpRequestHandler<Object> fast = (exchange, params) -> Mono.fromCallable(() -> {
            handled.add("fast");
            return Map.of();
        });
        McpNotificationHandler ready = (exchange, params) -> Mono.empty();
        transport = new StdioTransportProvider(Json.MCP, Json.MAPPER, stdin, stdout, new StdioTransportProvider.Listener() {});
        transport.start();
        stdin.send(INITIALIZED);
        stdin.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test/slow\"}");
        await().atMost(Duration.ofSeconds(10)).until(stdin::drained);

        Thread creating = new Thread(() -> transport.setSessionFactory(t -> new McpServerSession("ordered", Duration.ofSeconds(20), t,
                request -> Mono.empty(), Map.of("test/slow", slow, "test/fast", fast),
                Map.of(McpSchema.METHOD_NOTIFICATION_INITIALIZED, ready))), "session-factory");
        creating.start();
        assertThat(slowStarted.await(20, TimeUnit.SECONDS)).isTrue();
        stdin.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"test/fast\"}");

        stdout.answerTo("2");
        assertThat(handled).containsExactly("slow", "fast");
        creating.join();
    }

    /**
     * initialize and tools/list are answered before the server exists, and once it is up the SDK's own answers to them
     * are compared and dropped: one answer per request. A tools/list read before initialize or notifications/initialized,
     * or with a cursor, waits for the SDK's answer.
     */
    @Test
    void toolsListIsAnsweredBeforeTheServerExistsAndOnlyOnce() throws Exception {
        EarlyAnswers early = startTransport();
        stdin.send(TOOLS_LIST.formatted("\"before-initialize\"", ""));
        stdin.send(INITIALIZE.formatted(1));
        stdin.send(TOOLS_LIST.formatted("\"before-initialized\"", ""));
        stdin.send(INITIALIZED);
        stdin.send(TOOLS_LIST.formatted("\"early\"", ""));
        stdin.send(TOOLS_LIST.formatted("\"cursor\"", ",\"params\":{\"cursor\":\"x\"}"));
        stdin.send("{\"jsonrpc\":\"2.0\",\"id\":\"marker\",\"method\":\"ping\"}");
        stdout.answerTo("marker");
        assertThat(stdout.answersTo("1")).hasSize(1);
        JsonNode tools = stdout.answerTo("early").path("result");
        assertThat(tools.path("tools").size()).isEqualTo(gateway.components.tools().size());
        assertThat(stdout.answersTo("before-initialize")).isEmpty();
        assertThat(stdout.answersTo("before-initialized")).isEmpty();
        assertThat(stdout.answersTo("cursor")).isEmpty();

        buildServer();
        assertThat(stdout.answerTo("before-initialize").path("result")).isEqualTo(tools);
        assertThat(stdout.answerTo("before-initialized").path("result")).isEqualTo(tools);
        assertThat(stdout.answerTo("cursor").path("result")).isEqualTo(tools);
        await().atMost(Duration.ofSeconds(20)).until(() -> early.unconfirmed() == 0);
        assertThat(stdout.answersTo("1")).hasSize(1);
        assertThat(stdout.answersTo("early")).hasSize(1);
        assertThat(initialized.await(20, TimeUnit.SECONDS)).as("services start after the SDK's initialize answer").isTrue();
    }

    @Test
    void aPingIsAnsweredBeforeTheServerExistsAndBeforeInitialization() {
        startTransport();
        stdin.send("{\"jsonrpc\":\"2.0\",\"id\":\"p1\",\"method\":\"ping\"}");
        assertThat(stdout.answerTo("p1").toString()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"p1\",\"result\":{}}");

        buildServer();
        stdin.send(INITIALIZE.formatted(1));
        stdout.answerTo("1");
        stdin.send("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}");
        assertThat(stdout.answerTo("7").path("result").isEmpty()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "",
            ",\"params\":null",
            ",\"params\":\"2025-06-18\"",
            ",\"params\":{}",
            ",\"params\":{\"protocolVersion\":\"2025-06-18\"}",
            ",\"params\":{\"capabilities\":{},\"clientInfo\":{\"name\":\"x\",\"version\":\"1\"}}",
            ",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":\"all\",\"clientInfo\":{\"name\":\"x\",\"version\":\"1\"}}",
            ",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"roots\":[]},\"clientInfo\":{\"name\":\"x\",\"version\":\"1\"}}",
            ",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"x\"}}",
            ",\"params\":{\"protocolVersion\":{},\"capabilities\":{},\"clientInfo\":{\"name\":\"x\",\"version\":\"1\"}}"})
    void anInitializeWithBadParamsGetsOneInvalidParamsAnswerAndALaterOneWorks(String params) throws Exception {
        startTransport();
        stdin.send("{\"jsonrpc\":\"2.0\",\"id\":\"bad\",\"method\":\"initialize\"" + params + "}");
        stdin.send(INITIALIZE.formatted("\"good\""));
        stdin.send(INITIALIZED);
        stdin.send("{\"jsonrpc\":\"2.0\",\"id\":\"marker\",\"method\":\"marker/none\"}");
        buildServer();

        stdout.answerTo("marker");
        assertThat(stdout.answersTo("bad")).singleElement()
                .satisfies(answer -> assertThat(answer.path("error").path("code").asInt()).isEqualTo(-32602))
                .satisfies(answer -> assertThat(answer.path("error").path("message").asText())
                        .contains("protocolVersion", "capabilities", "clientInfo").doesNotContain("Exception", "null"));
        assertThat(stdout.answersTo("good")).singleElement()
                .satisfies(answer -> assertThat(answer.path("result").path("serverInfo").path("name").asText())
                        .isEqualTo(ServerAssembly.NAME));
        assertThat(initialized.await(20, TimeUnit.SECONDS)).as("services start after the valid initialize").isTrue();
    }

    @Test
    void anUnknownLoggingLevelAndASubscriptionOutsideTheTemplateGetInvalidParams() {
        startTransport();
        buildServer();
        stdin.send(INITIALIZE.formatted(1));
        stdin.send(INITIALIZED);
        AtomicInteger id = new AtomicInteger(100);
        Map<String, Integer> expected = Map.of(
                "\"method\":\"logging/setLevel\",\"params\":{\"level\":\"verbose\"}", -32602,
                "\"method\":\"logging/setLevel\",\"params\":{}", -32602,
                "\"method\":\"logging/setLevel\"", -32602,
                "\"method\":\"resources/subscribe\",\"params\":{\"uri\":\"file:///etc/passwd\"}", -32602,
                "\"method\":\"resources/subscribe\",\"params\":{\"uri\":\"payment://CA1/PK2\"}", -32602,
                "\"method\":\"resources/subscribe\",\"params\":{}", -32602,
                "\"method\":\"resources/unsubscribe\",\"params\":{\"uri\":\"https://example.com\"}", -32602);
        for (var request : expected.entrySet()) {
            String requestId = String.valueOf(id.incrementAndGet());
            stdin.send("{\"jsonrpc\":\"2.0\",\"id\":" + requestId + "," + request.getKey() + "}");
            JsonNode answer = stdout.answerTo(requestId);
            assertThat(answer.path("error").path("code").asInt()).as(request.getKey()).isEqualTo(request.getValue());
            assertThat(answer.path("error").path("message").asText()).as(request.getKey()).startsWith("Invalid params: ");
        }
        stdin.send("{\"jsonrpc\":\"2.0\",\"id\":\"level\",\"method\":\"logging/setLevel\",\"params\":{\"level\":\"warning\"}}");
        assertThat(stdout.answerTo("level").has("result")).isTrue();
        stdin.send("{\"jsonrpc\":\"2.0\",\"id\":\"sub\",\"method\":\"resources/subscribe\",\"params\":{\"uri\":"
                + "\"payment://CAfedcba9876543210fedcba9876543210/PK0123456789abcdef0123456789abcdef/status\"}}");
        assertThat(stdout.answerTo("sub").has("result")).isTrue();
    }
}
