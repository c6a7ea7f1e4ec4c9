package io.agentpay.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpay.gateway.GatewayFixture;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpSyncServer;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The early initialize answer must be, byte for byte, the one the MCP SDK gives. */
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
}
