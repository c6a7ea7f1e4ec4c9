package io.agentpay.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpay.gateway.cli.HttpEndpoint;
import io.agentpay.gateway.json.Json;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP endpoint on loopback with no token and no allow-list: only pages served from this machine may call it. */
class McpHttpServerTest {
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private final HttpClient http = HttpClient.newHttpClient();
    private McpHttpServer server;
    private McpSyncServer mcp;
    private URI base;

    @BeforeEach
    void start() {
        server = new McpHttpServer(new HttpEndpoint("127.0.0.1", 0, List.of(), List.of()), Json.MCP,
                () -> healthy.get() ? Optional.empty() : Optional.of("starting: callback endpoint not open yet"));
        mcp = McpServer.sync(server.transport(session -> { })).jsonMapper(Json.MCP).serverInfo("test", "1").build();
        base = URI.create("http://127.0.0.1:" + server.start());
    }

    @AfterEach
    void stop() {
        server.close();
        mcp.close();
    }

    private int initializeFrom(String origin) throws Exception {
        HttpRequest.Builder request = initialize(base);
        if (origin != null) {
            request.header("Origin", origin);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static HttpRequest.Builder initialize(URI base) {
        return HttpRequest.newBuilder(base.resolve(HttpEndpoint.PATH))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                        + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"))
                .timeout(Duration.ofSeconds(10));
    }

    @Test
    void thePortServesBeforeTheMcpServerIsBuiltAndAnEarlyRequestIsAnsweredOnceItIs() throws Exception {
        McpHttpServer early = new McpHttpServer(new HttpEndpoint("127.0.0.1", 0, List.of(), List.of()), Json.MCP,
                () -> Optional.of("starting"));
        URI earlyBase = URI.create("http://127.0.0.1:" + early.start());
        try {
            assertThat(http.send(HttpRequest.newBuilder(earlyBase.resolve(McpHttpServer.HEALTH_PATH)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
            CompletableFuture<HttpResponse<String>> answer = http.sendAsync(initialize(earlyBase).build(),
                    HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(10)).until(() -> early.waiting() == 1);
            McpSyncServer built = McpServer.sync(early.transport(session -> { })).jsonMapper(Json.MCP).serverInfo("early", "1").build();
            try {
                HttpResponse<String> initialized = answer.get(10, TimeUnit.SECONDS);
                assertThat(initialized.statusCode()).isEqualTo(200);
                assertThat(initialized.body()).contains("\"serverInfo\"").contains("\"early\"");
                assertThat(initialized.headers().firstValue("Mcp-Session-Id")).isPresent();
            } finally {
                built.close();
            }
        } finally {
            early.close();
        }
    }

    @Test
    void withoutAnAllowListOnlyLoopbackOriginsAndNoOriginAreServed() throws Exception {
        for (String origin : new String[] {null, "http://localhost:6274", "http://127.0.0.1:3000", "https://[::1]"}) {
            assertThat(initializeFrom(origin)).as(String.valueOf(origin)).isEqualTo(200);
        }
        for (String origin : List.of("http://evil.example", "http://localhost.evil.example", "http://127.0.0.1.nip.io:3000",
                "file://localhost", "null")) {
            assertThat(initializeFrom(origin)).as(origin).isEqualTo(403);
        }
    }

    @Test
    void healthSaysDegradedWith503WhenPaymentsCannotBeTaken() throws Exception {
        healthy.set(false);
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(base.resolve(McpHttpServer.HEALTH_PATH)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).isEqualTo("{\"status\":\"degraded\",\"reason\":\"starting: callback endpoint not open yet\"}");
    }
}
