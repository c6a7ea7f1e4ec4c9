package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.tunnel.TcpRelay;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The built jar as a service: MCP over Streamable HTTP, driven by the MCP Java SDK's HTTP client
 * through whole payments against the Twilio emulator (real Twilio SDK, signed callbacks), and by
 * raw HTTP for what a client library hides: tokens, origins, protocol versions, sessions, health.
 */
@Timeout(120)
class HttpServerIT {
    static final String TOKEN = "first-token-0123456789";
    static final String OTHER_TOKEN = "second-token-9876543210";
    static final String ALLOWED_ORIGIN = "https://agent.example.com";

    static PaySimulator twilio;
    static Process server;
    static Path stderr;
    static URI base;
    static TcpRelay relay;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), Duration.ofMillis(30));
        PaySimulator.Credentials c = twilio.credentials();
        relay = new TcpRelay();
        int publicPort = relay.start();
        stderr = Files.createTempFile("http-server-it", ".log");
        server = JarProcess.startHttp(Map.of("PUBLIC_URL", "http://localhost:" + publicPort,
                "CALLBACK_PORT", "0", "TWILIO_API_BASE_URL", twilio.baseUrl().toString(),
                "TWILIO_AUTH_TOKEN", c.authToken(), "MCP_AUTH_TOKEN", TOKEN + ", " + OTHER_TOKEN,
                "MCP_ALLOWED_ORIGINS", ALLOWED_ORIGIN), stderr, c.accountSid(), c.apiKey(), c.apiSecret());
        base = JarProcess.httpBase(stderr);
        relay.target(JarProcess.callbackPort(stderr));
        JarProcess.awaitHealthy(server, base, stderr);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.destroy();
            assertThat(server.waitFor(10, TimeUnit.SECONDS)).as("exits on SIGTERM").isTrue();
        }
        relay.close();
        twilio.close();
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static McpSyncClient client(String token, List<String> updates) {
        return client(token, updates, new CopyOnWriteArrayList<>());
    }

    static McpSyncClient client(String token, List<String> updates, List<McpSchema.LoggingMessageNotification> logs) {
        return client(base, token, updates, logs);
    }

    /** The MCP Java SDK's HTTP client on the server at {@code base}, initialized. */
    static McpSyncClient client(URI base, String token, List<String> updates, List<McpSchema.LoggingMessageNotification> logs) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(base.toString())
                .endpoint("/mcp")
                .jsonMapper(new JacksonMcpJsonMapper(Json.MAPPER))
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                .build();
        McpSyncClient client = McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(20))
                .resourcesUpdateConsumer(contents -> contents.forEach(r -> updates.add(r.uri())))
                .loggingConsumer(logs::add)
                .build();
        client.initialize();
        return client;
    }

    static JsonNode call(McpSyncClient client, String tool, Map<String, Object> args) throws IOException {
        McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest(tool, args));
        JsonNode body = Json.MAPPER.readTree(((McpSchema.TextContent) result.content().get(0)).text());
        assertThat(result.isError()).as(tool + " " + body).isFalse();
        return body;
    }

    static JsonNode read(McpSyncClient client, String uri) throws IOException {
        McpSchema.ReadResourceResult read = client.readResource(new McpSchema.ReadResourceRequest(uri));
        return Json.MAPPER.readTree(((McpSchema.TextResourceContents) read.contents().get(0)).text());
    }

    /** A finished payment: its status resource and what it last read. */
    record Paid(String uri, JsonNode status) {}

    /** Runs a whole card payment on {@code callSid} through {@code client}, subscribed to its status. */
    static Paid pay(McpSyncClient client, String callSid) throws IOException {
        JsonNode started = call(client, "startPaymentCapture", Map.of("callSid", callSid, "chargeAmount", "12.50"));
        String paymentSid = started.path("paymentSid").asText();
        String uri = started.path("statusResource").asText();
        client.subscribeResource(new McpSchema.SubscribeRequest(uri));
        Map<String, Object> session = Map.of("callSid", callSid, "paymentSid", paymentSid);
        for (String tool : List.of("captureCardNumber", "captureSecurityCode", "captureExpirationDate")) {
            call(client, tool, session);
            await().atMost(Duration.ofSeconds(10)).until(() -> List.of("field-complete", "ready-to-complete")
                    .contains(read(client, uri).path("state").asText()) && !read(client, uri).path("partialResult").asBoolean());
        }
        call(client, "completePaymentCapture", session);
        await().atMost(Duration.ofSeconds(10)).until(() -> read(client, uri).path("state").asText().equals("completed"));
        return new Paid(uri, read(client, uri));
    }

    @Test
    void twoClientsEachTakeAWholePaymentAndHearOnlyTheirOwnUpdates() throws Exception {
        List<String> firstUpdates = new CopyOnWriteArrayList<>();
        List<String> secondUpdates = new CopyOnWriteArrayList<>();
        McpSyncClient first = client(TOKEN, firstUpdates);
        McpSyncClient second = client(OTHER_TOKEN, secondUpdates);
        try {
            assertThat(first.listTools().tools()).hasSize(10);
            Paid paidFirst = pay(first, "CA0123456789abcdef0123456789abcdef");
            Paid paidSecond = pay(second, "CAabcdef0123456789abcdef0123456789");
            for (Paid paid : List.of(paidFirst, paidSecond)) {
                assertThat(paid.status().path("paymentCardNumber").asText()).isEqualTo("xxxxxxxxxxxx1111");
                assertThat(paid.status().path("paymentConfirmationCode").asText()).startsWith("ch_sandbox_");
            }
            String firstUri = paidFirst.uri();
            String secondUri = paidSecond.uri();
            await().atMost(Duration.ofSeconds(5)).until(() -> firstUpdates.contains(firstUri) && secondUpdates.contains(secondUri));
            assertThat(firstUpdates).doesNotContain(secondUri);
            assertThat(secondUpdates).doesNotContain(firstUri);
        } finally {
            first.closeGracefully();
            second.closeGracefully();
        }
        assertThat(Files.readString(stderr)).doesNotContain("4111111111111111").doesNotContain(TOKEN)
                .doesNotContain(twilio.credentials().apiSecret());
    }

    @Test
    void eachClientGetsLogNotificationsAtTheLevelItSet() throws Exception {
        List<McpSchema.LoggingMessageNotification> infoLogs = new CopyOnWriteArrayList<>();
        List<McpSchema.LoggingMessageNotification> errorLogs = new CopyOnWriteArrayList<>();
        McpSyncClient info = client(TOKEN, new CopyOnWriteArrayList<>(), infoLogs);
        McpSyncClient errorsOnly = client(TOKEN, new CopyOnWriteArrayList<>(), errorLogs);
        try {
            info.setLoggingLevel(McpSchema.LoggingLevel.INFO);
            errorsOnly.setLoggingLevel(McpSchema.LoggingLevel.ERROR);
            info.callTool(new McpSchema.CallToolRequest("captureCardNumber", Map.of("callSid", "CA1", "paymentSid", "PK1")));
            await().atMost(Duration.ofSeconds(5)).until(() -> infoLogs.stream()
                    .anyMatch(l -> l.level() == McpSchema.LoggingLevel.WARNING && l.data().contains("'callSid'")));
            errorsOnly.ping();
            assertThat(errorLogs).noneMatch(l -> l.level() == McpSchema.LoggingLevel.WARNING);
        } finally {
            info.closeGracefully();
            errorsOnly.closeGracefully();
        }
    }

    static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
            + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";
    static final String PING = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}";

    static HttpRequest.Builder post(String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return headers.length == 0 ? request : request.headers(headers);
    }

    /** Opens a session by a raw initialize with {@code token}; returns its Mcp-Session-Id. */
    static String session(String token) throws Exception {
        HttpResponse<String> init = send(post(INITIALIZE, "Authorization", "Bearer " + token));
        assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
        return init.headers().firstValue("Mcp-Session-Id").orElseThrow();
    }

    @Test
    void healthNeedsNoTokenAndSaysOnlyOk() throws Exception {
        HttpResponse<String> health = send(HttpRequest.newBuilder(base.resolve("/healthz")));
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");
    }

    @Test
    void aRequestWithoutTheRightBearerTokenIs401WithAChallenge() throws Exception {
        for (String[] headers : List.of(new String[0], new String[] {"Authorization", "Bearer wrong-token"},
                new String[] {"Authorization", "Bearer " + TOKEN.substring(0, TOKEN.length() - 1)},
                new String[] {"Authorization", "Bearer " + TOKEN + "x"}, new String[] {"Authorization", "Basic " + TOKEN})) {
            HttpResponse<String> refused = send(post(INITIALIZE, headers));
            assertThat(refused.statusCode()).as(String.join(" ", headers)).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(refused.body()).contains("MCP_AUTH_TOKEN").doesNotContain(TOKEN.substring(0, 10));
            assertThat(refused.headers().firstValue("Mcp-Session-Id")).isEmpty();
        }
        assertThat(session("  " + OTHER_TOKEN)).isNotBlank();
    }

    @Test
    void aRefusalAnsweredBeforeItsBodyArrivedTellsTheClientTheConnectionCloses() throws Exception {
        // The refusal comes before the body is read: Jetty may then drop the connection, so the client must be told,
        // or its next request on that connection gets no answer at all.
        byte[] body = INITIALIZE.getBytes(StandardCharsets.UTF_8);
        for (String auth : List.of("Bearer wrong-token", "Bearer " + TOKEN)) {
            try (Socket socket = new Socket(base.getHost(), base.getPort())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                String origin = auth.endsWith(TOKEN) ? "Origin: https://evil.example\r\n" : "";
                out.write(("POST /mcp HTTP/1.1\r\nHost: " + base.getHost() + "\r\nAuthorization: " + auth + "\r\n" + origin
                        + "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: "
                        + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, body.length / 2); // the rest never comes: the answer cannot wait for it
                out.flush();
                String head = responseHead(socket.getInputStream());
                assertThat(head).as(auth).startsWith(auth.endsWith(TOKEN) ? "HTTP/1.1 403" : "HTTP/1.1 401");
                assertThat(head.toLowerCase(java.util.Locale.ROOT)).as(auth).contains("\r\nconnection: close\r\n");
            }
        }
    }

    private static String responseHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return head.toString();
    }

    @Test
    void aForeignOriginIs403EvenWithATokenAndAnAllowedOneGetsCors() throws Exception {
        for (String origin : List.of("https://evil.example", "http://localhost:6274", ALLOWED_ORIGIN + ".evil.example", "null")) {
            HttpResponse<String> refused = send(post(INITIALIZE, "Authorization", "Bearer " + TOKEN, "Origin", origin));
            assertThat(refused.statusCode()).as(origin).isEqualTo(403);
            assertThat(refused.body()).contains("MCP_ALLOWED_ORIGINS");
        }
        HttpResponse<String> allowed = send(post(INITIALIZE, "Authorization", "Bearer " + TOKEN, "Origin", ALLOWED_ORIGIN));
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ALLOWED_ORIGIN);
        assertThat(allowed.headers().firstValue("Access-Control-Expose-Headers")).hasValueSatisfying(v -> assertThat(v).contains("Mcp-Session-Id"));
        HttpResponse<String> preflight = send(HttpRequest.newBuilder(base.resolve("/mcp")).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", ALLOWED_ORIGIN).header("Access-Control-Request-Method", "POST"));
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers")).hasValueSatisfying(v -> assertThat(v)
                .contains("Authorization").contains("Mcp-Session-Id").contains("MCP-Protocol-Version"));
    }

    @Test
    void anUnsupportedProtocolVersionIs400AndASupportedOneIsServed() throws Exception {
        String session = session(TOKEN);
        HttpResponse<String> refused = send(post(PING, "Authorization", "Bearer " + TOKEN, "Mcp-Session-Id", session,
                "MCP-Protocol-Version", "1999-01-01"));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("2025-11-25").doesNotContain("1999-01-01");
        HttpResponse<String> served = send(post(PING, "Authorization", "Bearer " + TOKEN, "Mcp-Session-Id", session,
                "MCP-Protocol-Version", "2025-11-25"));
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.body()).contains("\"id\":2").contains("\"result\"");
    }

    @Test
    void aRequestTheTransportRefusesGetsAJsonRpcErrorWithoutTheJavaExceptionOrTheBodySent() throws Exception {
        String pan = "5555555555554444";
        String session = session(TOKEN);
        String[] auth = {"Authorization", "Bearer " + TOKEN, "Mcp-Session-Id", session};
        List<HttpResponse<String>> refused = List.of(
                send(post("{\"cardNumber\":\"" + pan + "\",\"securityCode\":\"737\"}", auth)),
                send(post("not json " + pan, auth)),
                send(post(PING, "Authorization", "Bearer " + TOKEN, "Mcp-Session-Id", "no-such-session")),
                send(post(PING, "Authorization", "Bearer " + TOKEN)),
                send(HttpRequest.newBuilder(base.resolve("/mcp")).DELETE().header("Authorization", "Bearer " + TOKEN)));
        assertThat(refused).extracting(HttpResponse::statusCode).containsExactly(400, 400, 404, 400, 400);
        for (HttpResponse<String> response : refused) {
            JsonNode body = Json.MAPPER.readTree(response.body());
            assertThat(body.path("jsonrpc").asText()).as(response.body()).isEqualTo("2.0");
            assertThat(body.path("error").path("code").isInt()).as(response.body()).isTrue();
            assertThat(body.path("error").path("message").asText()).as(response.body()).isNotBlank();
            assertThat(response.body()).doesNotContain("stackTrace").doesNotContain("io.modelcontextprotocol").doesNotContain(pan);
        }
        assertThat(Json.MAPPER.readTree(refused.get(2).body()).path("error").path("message").asText()).contains("Session not found");
        assertThat(Files.readString(stderr)).doesNotContain(pan);
    }

    @Test
    void aSessionAnswersOnlyTheTokenThatOpenedIt() throws Exception {
        String session = session(TOKEN);
        String[] other = {"Authorization", "Bearer " + OTHER_TOKEN, "Mcp-Session-Id", session};
        HttpResponse<String> refused = send(post(PING, other));
        assertThat(refused.statusCode()).isEqualTo(404);
        assertThat(refused.body()).contains("Session not found").doesNotContain(session);
        assertThat(send(HttpRequest.newBuilder(base.resolve("/mcp")).GET().headers(other).header("Accept", "text/event-stream"))
                .statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(base.resolve("/mcp")).DELETE().headers(other)).statusCode()).isEqualTo(404);
        HttpResponse<String> owner = send(post(PING, "Authorization", "Bearer " + TOKEN, "Mcp-Session-Id", session));
        assertThat(owner.statusCode()).as("the other token's DELETE did not end it").isEqualTo(200);
    }

    @Test
    void deleteEndsASessionAndItsIdIsThenUnknown() throws Exception {
        String session = session(TOKEN);
        String[] auth = {"Authorization", "Bearer " + TOKEN, "Mcp-Session-Id", session};
        assertThat(send(post(PING, auth)).statusCode()).isEqualTo(200);
        HttpResponse<String> deleted = send(HttpRequest.newBuilder(base.resolve("/mcp")).DELETE().headers(auth));
        assertThat(deleted.statusCode()).isBetween(200, 204);
        assertThat(send(post(PING, auth)).statusCode()).isEqualTo(404);
        HttpResponse<String> stream = send(HttpRequest.newBuilder(base.resolve("/mcp")).GET().headers(auth)
                .header("Accept", "text/event-stream"));
        assertThat(stream.statusCode()).isEqualTo(404);
        HttpResponse<String> noSession = send(post(PING, "Authorization", "Bearer " + TOKEN));
        assertThat(noSession.statusCode()).isEqualTo(400);
        assertThat(noSession.body()).containsIgnoringCase("session");
    }
}
