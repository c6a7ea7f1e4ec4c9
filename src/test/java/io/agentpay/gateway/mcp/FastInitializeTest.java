package io.agentpay.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.json.Json;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpSyncServer;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The early initialize answer must be, byte for byte, the one the MCP SDK gives, and it may only be given
 * for a request the server then accepts: otherwise one id would get two answers.
 */
class FastInitializeTest {
    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = new GatewayFixture();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    /** What the SDK itself answers, through the transport with the early answer switched off. */
    static String sdkAnswer(String request) throws Exception {
        PipedOutputStream feed = new PipedOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StdioTransportProvider transport = new StdioTransportProvider(new JacksonMcpJsonMapper(Json.MAPPER), Json.MAPPER,
                new PipedInputStream(feed), out, new StdioTransportProvider.Listener() {});
        McpSyncServer server = ServerAssembly.build(transport, new JacksonMcpJsonMapper(Json.MAPPER), gateway.context,
                gateway.components, "9.9.9");
        try {
            feed.write((request + "\n").getBytes(StandardCharsets.UTF_8));
            feed.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> out.toString(StandardCharsets.UTF_8).contains("\n"));
            return out.toString(StandardCharsets.UTF_8).strip();
        } finally {
            server.close();
            feed.close();
        }
    }

    @ParameterizedTest
    @CsvSource({"1,2024-11-05", "2,2025-03-26", "3,2025-06-18", "4,2025-11-25", "5,1999-01-01", "\"abc\",2025-06-18"})
    void theEarlyAnswerIsTheSdksAnswer(String id, String version) throws Exception {
        String request = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + version + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
        FastInitialize.Request parsed = FastInitialize.parse(request);
        assertThat(parsed).isNotNull();
        String early = FastInitialize.forServer(StdioTransportProvider.PROTOCOL_VERSIONS, "9.9.9").answer(parsed);
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
        FastInitialize.Request parsed = FastInitialize.parse(request);
        assertThat(parsed.answerableEarly()).isTrue();
        assertThat(FastInitialize.forServer(StdioTransportProvider.PROTOCOL_VERSIONS, "9.9.9").answer(parsed))
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
        FastInitialize.Request parsed = FastInitialize.parse(line);
        assertThat(parsed == null || !parsed.answerableEarly()).as(line).isTrue();
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
                        FastInitialize.Request parsed = FastInitialize.parse(line);
                        assertThat(parsed).as(line).isNotNull();
                        if (parsed.answerableEarly()) {
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
}
