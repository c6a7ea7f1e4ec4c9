package io.agentpay.gateway.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.McpLog;
import io.agentpay.gateway.state.PaymentStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The real endpoint on loopback against hostile clients on raw sockets: what they are answered and what they cost. */
@Timeout(60)
class HostileTrafficTest {
    private static final Duration DEADLINE = Duration.ofSeconds(2);
    private static final int LIMIT = 64;

    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private PrintStream original;
    private McpLog log;
    private CallbackServer server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        original = System.err;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        log = new McpLog();
        start(DEADLINE);
    }

    private void start(Duration deadline) throws Exception {
        if (server != null) {
            server.close();
        }
        server = new CallbackServer(new PaymentStore(Duration.ofHours(1)), log, new CallbackAuth(CallbackAuth.newSecret(), null),
                Json.MAPPER, new CallbackServer.Limits(Duration.ofMillis(500), LIMIT, deadline));
        port = server.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.close();
        log.close();
        System.setErr(original);
    }

    private String stderr() throws InterruptedException {
        log.awaitIdle(2, TimeUnit.SECONDS);
        return stderr.toString(StandardCharsets.UTF_8);
    }

    /** Sends {@code head} and reads the whole answer until the server closes the connection (bounded by a 5 s read timeout). */
    private String exchange(String head) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void aWrongPathIsAnsweredBeforeItsBodyIsSentAndTheConnectionIsClosed() throws Exception {
        String answer = exchange("POST /callbacks/not-the-secret HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 65536\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 404").containsIgnoringCase("Connection: close")
                .containsIgnoringCase("Content-Type: text/plain").doesNotContain("not-the-secret");

        String elsewhere = exchange("PUT /%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n");
        assertThat(elsewhere).startsWith("HTTP/1.1 404").containsIgnoringCase("Connection: close")
                .containsIgnoringCase("Content-Type: text/plain").doesNotContainIgnoringCase("script").doesNotContain("<html");

        String put = exchange("PUT " + server.callbackPath() + " HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n");
        assertThat(put).startsWith("HTTP/1.1 405").containsIgnoringCase("Connection: close").containsIgnoringCase("Allow: GET, HEAD, POST");
    }

    @Test
    void aMalformedChunkIs400AndABodyThatStopsArrivingIs408() throws Exception {
        String chunked = exchange("POST " + server.callbackPath() + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nzz\r\nSid=PK\r\n0\r\n\r\n");
        assertThat(chunked).startsWith("HTTP/1.1 400").containsIgnoringCase("Content-Type: text/plain").doesNotContain("zz");

        String stalled = exchange("POST " + server.callbackPath() + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 100\r\n\r\nSid=PK");
        assertThat(stalled).startsWith("HTTP/1.1 408");

        String badHeader = exchange("GET /x HTTP/1.1\r\nHost: x\r\nBad Header: <b>echo</b>\r\n\r\n");
        assertThat(badHeader).startsWith("HTTP/1.1 400").containsIgnoringCase("Content-Type: text/plain").doesNotContain("echo");
    }

    @Test
    void aFloodOfRefusalsIsCountedAndSummedUpNotLoggedOneByOne() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest wrong = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/callbacks/wrong"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("Sid=PK1")).build();
        HttpRequest malformed = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + server.callbackPath()))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("a=%zz")).build();
        assertThat(server.pressure()).isNull();
        for (int i = 0; i < 1_100; i++) {
            assertThat(http.send(i % 2 == 0 ? wrong : malformed, HttpResponse.BodyHandlers.discarding()).statusCode()).isIn(400, 404);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> stderr().contains("more requests to the callback port in the last"));
        String text = stderr();
        long oneByOne = text.lines().filter(l -> l.contains("Refused a") && l.contains(" from ")).count();
        long summaries = text.lines().filter(l -> l.contains("more requests to the callback port")).count();
        assertThat(oneByOne).as("at most %d per interval", Refusals.LOGGED_PER_INTERVAL)
                .isLessThanOrEqualTo(Refusals.LOGGED_PER_INTERVAL * (summaries + 1));
        assertThat(text).contains("from 127.0.0.1 (").doesNotContain("Sid=PK1").doesNotContain("%zz");
        assertThat(server.pressure()).as("what a failing tunnel check is told").contains("turning away a flood");
    }

    @Test
    void slowConnectionsAreClosedAtTheDeadlineAndNewRequestsStillGetIn() throws Exception {
        List<SocketChannel> slow = new ArrayList<>();
        try {
            for (int i = 0; i < LIMIT * 3 / 4; i++) {
                SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                channel.write(ByteBuffer.wrap("POST ".getBytes(StandardCharsets.US_ASCII)));
                slow.add(channel);
            }
            // A byte at a time keeps every connection busy; only the deadline can end them.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                int closed = 0;
                for (SocketChannel channel : slow) {
                    try {
                        channel.write(ByteBuffer.wrap(new byte[] {'/'}));
                    } catch (IOException e) {
                        closed++;
                    }
                }
                // Meanwhile the tunnel check and new connections get answered at once.
                assertThat(exchange("GET " + server.callbackPath() + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                        .startsWith("HTTP/1.1 200").contains(CallbackServer.PROBE_ANSWER);
                return closed == slow.size();
            });
            assertThat(stderr()).contains("no complete request within " + DEADLINE.toSeconds() + " s");
        } finally {
            for (SocketChannel channel : slow) {
                channel.close();
            }
        }
    }

    @Test
    void aboveTheLimitTheOldestSlowConnectionsMakeRoomForNewOnes() throws Exception {
        start(Duration.ofMinutes(1));
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < LIMIT; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                socket.getOutputStream().write('P');
                idle.add(socket);
            }
            Socket first = idle.get(0);
            first.setSoTimeout(5_000);
            // Older than a second and still without a complete request: the first to go when new connections come in.
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(300)).until(() -> {
                assertThat(exchange("GET " + server.callbackPath() + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                        .startsWith("HTTP/1.1 200");
                return stderr().contains("closed to make room for new connections");
            });
            assertThat(readEnd(first.getInputStream())).isTrue();
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    @Test
    void aKeepAliveConnectionThatKeepsCompletingRequestsOutlivesTheDeadline() throws Exception {
        byte[] probe = ("GET " + server.callbackPath() + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            InputStream in = socket.getInputStream();
            int[] answered = {0};
            // A request every 400 ms on the same connection for three deadlines: each answered, none cut off.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(400)).until(() -> {
                socket.getOutputStream().write(probe);
                String answer = readAnswer(in);
                assertThat(answer).startsWith("HTTP/1.1 200").endsWith(CallbackServer.PROBE_ANSWER);
                return ++answered[0] * 400L > 3 * DEADLINE.toMillis();
            });
        }
    }

    /** One answer with a Content-Length body, read off a kept-alive connection. */
    private static String readAnswer(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + head);
            }
            head.append((char) b);
        }
        var length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        int n = length.find() ? Integer.parseInt(length.group(1)) : 0;
        return head + new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
    }

    private static boolean readEnd(InputStream in) {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true;
        }
    }
}
