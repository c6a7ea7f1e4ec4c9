package io.agentpay.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.json.Json;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpSyncServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The early initialize and tools/list answers must be, byte for byte, the ones the MCP SDK gives, and they may only
 * be given for a request the server then accepts and answers the same: otherwise one id would get two answers.
 */
class EarlyAnswersTest {
    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = new GatewayFixture();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    /** What the SDK itself answers, through the transport with the early answers switched off. */
    static String sdkAnswer(String request) throws Exception {
        return sdkAnswer(Json.MAPPER.readTree(request).get("id").toString(), request);
    }

    /** The SDK's answer to the request with {@code id} (as JSON) among {@code lines}, sent in order. */
    static String sdkAnswer(String id, String... lines) throws Exception {
        PipedOutputStream feed = new PipedOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StdioTransportProvider transport = new StdioTransportProvider(new JacksonMcpJsonMapper(Json.MAPPER), Json.MAPPER,
                new PipedInputStream(feed, 1 << 16), out, new StdioTransportProvider.Listener() {});
        McpSyncServer server = ServerAssembly.build(transport, new JacksonMcpJsonMapper(Json.MAPPER), gateway.context,
                gateway.components, "9.9.9");
        try {
            for (String line : lines) {
                feed.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
            feed.flush();
            return await().atMost(Duration.ofSeconds(10)).until(() -> out.toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> answers(l, id)).findFirst(), Optional::isPresent).get();
        } finally {
            server.close();
            feed.close();
        }
    }

    private static boolean answers(String line, String id) {
        try {
            JsonNode message = Json.MAPPER.readTree(line);
            return !message.has("method") && message.path("id").toString().equals(id);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    @ParameterizedTest
    @CsvSource({"1,2024-11-05", "2,2025-03-26", "3,2025-06-18", "4,2025-11-25", "5,1999-01-01", "\"abc\",2025-06-18"})
    void theEarlyAnswerIsTheSdksAnswer(String id, String version) throws Exception {
        String request = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + version + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
        EarlyAnswers.Request parsed = EarlyAnswers.parse(request);
        assertThat(parsed).isNotNull();
        String early = EarlyAnswers.forServer("9.9.9").initializeAnswer(parsed);
        assertThat(early).isEqualTo(sdkAnswer(request));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"roots\":{\"listChanged\":true},\"sampling\":{},"
                    + "\"elicitation\":{\"form\":{}},\"experimental\":{\"x\":[1,{\"y\":null}]},\"extensions\":{\"e\":{}},\"tasks\":7},"
                    + "\"clientInfo\":{\"name\":\"claude-ai\",\"title\":\"Claude\",\"version\":\"0.1.0\",\"extra\":[]},\"_meta\":{\"k\":1}}",
            "{\"clientInfo\":{\"version\":\"1\",\"name\":\"n\"},\"capabilities\":{},\"protocolVersion\":\"2025-03-26\",\"other\":[1,2]}"})
    void richParamsStillGetTheSdksAnswerEarly(String params) throws Exception {
        String request = "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"initialize\",\"params\":" + params + "}";
        EarlyAnswers.Request parsed = EarlyAnswers.parse(request);
        assertThat(parsed.isInitialize()).isTrue();
        assertThat(EarlyAnswers.forServer("9.9.9").initializeAnswer(parsed))
                .isEqualTo(sdkAnswer(request));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"initialize\",\"params\":" + VALID + "}",
            "{\"id\":1,\"method\":\"initialize\",\"params\":" + VALID + "}",
            "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"initialize\",\"params\":" + VALID + "}",
            "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"initialize\",\"params\":" + VALID + "}",
            "{\"jsonrpc\":\"2.0\",\"id\":\"a\\u0001\",\"method\":\"initialize\",\"params\":" + VALID + "}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":" + VALID + "} trailing",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":" + VALID + ",\"params\":[]}"})
    void anythingButOneWholeJsonRpcRequestGetsNoEarlyAnswer(String line) {
        EarlyAnswers.Request parsed = EarlyAnswers.parse(line);
        assertThat(parsed == null || !parsed.isInitialize()).as(line).isTrue();
    }

    static final String VALID = "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"n\",\"version\":\"1\"}}";

    /** Every combination of right and wrong members: an early answer only where the server's own check accepts. */
    @Test
    void theEarlyAnswerIsGivenOnlyForParamsTheServerAccepts() throws Exception {
        List<String> versions = List.of("", "\"protocolVersion\":\"2025-06-18\"", "\"protocolVersion\":\"0\"",
                "\"protocolVersion\":7", "\"protocolVersion\":null", "\"protocolVersion\":{}");
        List<String> capabilities = List.of("", "\"capabilities\":{}", "\"capabilities\":{\"roots\":{\"listChanged\":true}}",
                "\"capabilities\":{\"roots\":{\"listChanged\":\"yes\"}}", "\"capabilities\":{\"roots\":\"x\"}",
                "\"capabilities\":{\"sampling\":[]}", "\"capabilities\":{\"elicitation\":{\"form\":1}}",
                "\"capabilities\":{\"elicitation\":{\"url\":{}}}", "\"capabilities\":{\"experimental\":3}",
                "\"capabilities\":{\"extensions\":{\"x\":1}}", "\"capabilities\":{\"extensions\":{\"x\":{}}}",
                "\"capabilities\":{\"tasks\":\"x\"}", "\"capabilities\":\"x\"", "\"capabilities\":null", "\"capabilities\":[]");
        List<String> clients = List.of("", "\"clientInfo\":{\"name\":\"a\",\"version\":\"1\"}", "\"clientInfo\":{\"name\":\"a\"}",
                "\"clientInfo\":{\"name\":1,\"version\":\"1\"}", "\"clientInfo\":{\"name\":\"a\",\"version\":\"1\",\"icons\":[{\"src\":\"x\"}]}",
                "\"clientInfo\":{\"name\":\"a\",\"version\":\"1\",\"title\":{}}", "\"clientInfo\":{\"name\":\"a\",\"version\":\"1\",\"x\":[1]}",
                "\"clientInfo\":{\"name\":\"a\",\"version\":\"1\",\"icons\":\"x\"}", "\"clientInfo\":null", "\"clientInfo\":\"x\"");
        List<String> metas = List.of("", "\"_meta\":{}", "\"_meta\":{\"k\":[1]}", "\"_meta\":1", "\"_meta\":null");
        ParamsCheck check = new ParamsCheck(Json.MCP, List.of());
        int early = 0;
        for (String version : versions) {
            for (String capability : capabilities) {
                for (String client : clients) {
                    for (String meta : metas) {
                        String params = "{" + String.join(",", java.util.stream.Stream.of(version, capability, client, meta)
                                .filter(m -> !m.isEmpty()).toList()) + "}";
                        String line = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":" + params + "}";
                        EarlyAnswers.Request parsed = EarlyAnswers.parse(line);
                        assertThat(parsed).as(line).isNotNull();
                        if (parsed.isInitialize()) {
                            early++;
                            assertThat(check.acceptsInitialize(Json.MAPPER.readValue(params, Map.class))).as(params).isTrue();
                        }
                    }
                }
            }
        }
        // 2 versions x 5 capabilities x 2 client infos x 3 metas of the right form: each of them is answered early.
        assertThat(early).as("every well-formed combination is still answered early").isEqualTo(60);
    }

    static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";

    static String initialize(String id, String version) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + version + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
    }

    static String toolsList(String id, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/list\"" + params + "}";
    }

    /** What {@code early} answers to each line, read in order before the session exists (null: no early answer). */
    static List<String> earlyAnswers(EarlyAnswers early, String... lines) {
        List<String> answers = new ArrayList<>();
        for (String line : lines) {
            EarlyAnswers.Request request = EarlyAnswers.parse(line);
            answers.add(request == null ? null : early.beforeSession(request));
        }
        return answers;
    }

    static Stream<Arguments> listings() {
        List<String> versions = new ArrayList<>(EarlyAnswers.PROTOCOL_VERSIONS);
        versions.add("1999-01-01");
        return versions.stream().flatMap(version -> Stream.of("7", "\"list-7\"").flatMap(id -> Stream.of("",
                ",\"params\":{}", ",\"params\":{\"_meta\":{\"progressToken\":\"p\"}}", ",\"params\":{\"other\":[1,{}]}")
                .map(params -> Arguments.of(version, id, params))));
    }

    /** Every protocol version, integer and string ids, with and without params: the SDK's answer, byte for byte. */
    @ParameterizedTest(name = "{0} id {1} {2}")
    @MethodSource("listings")
    void theEarlyToolsListIsTheSdksAnswer(String version, String id, String params) throws Exception {
        String initialize = initialize("1", version);
        String list = toolsList(id, params);
        List<String> early = earlyAnswers(EarlyAnswers.forServer("9.9.9"), initialize, INITIALIZED, list);
        assertThat(early.get(0)).isNotNull();
        assertThat(early.get(2)).as("early tools/list answer").isNotNull().isEqualTo(sdkAnswer(id, initialize, INITIALIZED, list));
    }

    /**
     * A tools/list whose params the SDK might read differently, or that it would not answer as it stands, gets no early
     * answer; the well-formed one after it still does.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"jsonrpc\":\"2.0\",\"id\":\"bad\",\"method\":\"tools/list\",\"params\":{\"cursor\":\"abc\"}}",
            "{\"jsonrpc\":\"2.0\",\"id\":\"bad\",\"method\":\"tools/list\",\"params\":null}",
            "{\"jsonrpc\":\"2.0\",\"id\":\"bad\",\"method\":\"tools/list\",\"params\":[]}",
            "{\"jsonrpc\":\"2.0\",\"id\":\"bad\",\"method\":\"tools/list\",\"params\":\"x\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":\"bad\",\"method\":\"tools/list\",\"params\":{\"_meta\":1}}",
            "{\"jsonrpc\":\"2.0\",\"id\":\"bad\",\"method\":\"tools/list\",\"params\":{},\"params\":{}}",
            "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"tools/list\"}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"tools/list\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"tools/list\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":99999999999999999999,\"method\":\"tools/list\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":\"a\\u0001\",\"method\":\"tools/list\"}",
            "{\"jsonrpc\":\"1.0\",\"id\":\"bad\",\"method\":\"tools/list\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":\"bad\",\"method\":\"tools/list\"} trailing",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}"})
    void aToolsListTheSdkMightAnswerDifferentlyGetsNoEarlyAnswer(String line) {
        List<String> early = earlyAnswers(EarlyAnswers.forServer("9.9.9"), initialize("1", "2025-06-18"), INITIALIZED, line,
                toolsList("\"good\"", ""));
        assertThat(early.get(2)).as(line).isNull();
        assertThat(early.get(3)).as("the well-formed one after it").isNotNull();
    }

    /**
     * Before {@code notifications/initialized} the SDK holds tools/list back, and without an early initialize answer
     * the order of answers is the SDK's alone: no early answer then.
     */
    @Test
    void toolsListIsAnsweredEarlyOnlyAfterTheEarlyInitializeAndTheInitializedNotification() {
        String list = toolsList("\"l\"", "");
        String initialize = initialize("1", "2025-06-18");
        assertThat(earlyAnswers(EarlyAnswers.forServer("9.9.9"), list, initialize, INITIALIZED, toolsList("2", "")))
                .as("before initialize").containsExactly(null, earlyInitialize(initialize), null, earlyList("2"));
        assertThat(earlyAnswers(EarlyAnswers.forServer("9.9.9"), initialize, list, INITIALIZED, toolsList("2", "")))
                .as("before initialized").containsExactly(earlyInitialize(initialize), null, null, earlyList("2"));
        assertThat(earlyAnswers(EarlyAnswers.forServer("9.9.9"), initialize,
                "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"notifications/initialized\"}", list, INITIALIZED, toolsList("2", "")))
                .as("an initialized with an id is a request").containsExactly(earlyInitialize(initialize), null, null, null, earlyList("2"));
        String refused = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}";
        assertThat(earlyAnswers(EarlyAnswers.forServer("9.9.9"), refused, INITIALIZED, list, initialize("2", "2025-06-18"),
                INITIALIZED, toolsList("3", ""))).as("after an initialize the SDK refuses")
                .containsExactly(null, null, null, earlyInitialize(initialize("2", "2025-06-18")), null, earlyList("3"));
    }

    private static String earlyInitialize(String line) {
        return EarlyAnswers.forServer("9.9.9").initializeAnswer(EarlyAnswers.parse(line));
    }

    private static String earlyList(String id) {
        return EarlyAnswers.forServer("9.9.9").toolsListAnswer(EarlyAnswers.parse(toolsList(id, "")));
    }
}
