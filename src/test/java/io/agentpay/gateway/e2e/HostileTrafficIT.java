package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.tunnel.TcpRelay;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The built jar under hostile traffic on its callback port (loopback only), while a real MCP
 * client takes a real payment through the Twilio emulator: a flood of refused posts, 1,100 slow
 * connections at a 1,024-descriptor limit, and 2,000 parked 64 KB bodies.
 */
@Timeout(180)
class HostileTrafficIT {
    static final String CALL = "CAfedcba9876543210fedcba9876543210";
    /** The JVM flags of the README's launch line (Reliability): heap and direct-memory ceilings. */
    static final List<String> README_FLAGS = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx256m", "-XX:MaxDirectMemorySize=16m");

    private final List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
    /** Every content the client read on a resource update, per URI (reads may complete out of order). */
    private final Map<String, List<String>> heard = new ConcurrentHashMap<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final AtomicBoolean attacking = new AtomicBoolean(true);
    private final List<Thread> attackers = new ArrayList<>();
    private PaySimulator twilio;
    private McpSyncClient client;
    private int port;
    private TcpRelay relay;
    private String marker;

    /** The jar, optionally behind {@code shell} (a command that ends in exec "$0" "$@"), with these JVM flags. */
    private void launch(List<String> shell, List<String> jvmFlags) throws IOException {
        twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), Duration.ofMillis(30));
        PaySimulator.Credentials c = twilio.credentials();
        // The public URL is a relay the test owns; the jar binds any free port and says which on stderr.
        relay = new TcpRelay();
        int publicPort = relay.start();
        marker = "-Dhostile.it=" + UUID.randomUUID();
        List<String> command = new ArrayList<>(shell);
        command.add(JarProcess.java());
        command.add(marker);
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", JarProcess.jar().toString(), c.accountSid(), c.apiKey(), c.apiSecret()));
        ServerParameters params = ServerParameters.builder(command.get(0)).args(command.subList(1, command.size()))
                .env(Map.of("PUBLIC_URL", "http://127.0.0.1:" + publicPort, "CALLBACK_PORT", "0",
                        "TWILIO_API_BASE_URL", twilio.baseUrl().toString(), "TWILIO_AUTH_TOKEN", c.authToken(),
                        "TUNNEL_CHECK_INTERVAL", "1s"))
                .build();
        StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(Json.MAPPER));
        transport.setStdErrorHandler(stderr::add);
        client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).loggingConsumer(logs::add)
                .resourcesUpdateConsumer(contents -> contents.forEach(r -> heard.computeIfAbsent(r.uri(), k -> new CopyOnWriteArrayList<>())
                        .add(((McpSchema.TextResourceContents) r).text())))
                .build();
        client.initialize();
        port = JarProcess.callbackPort(stderr);
        relay.target(port);
        client.setLoggingLevel(McpSchema.LoggingLevel.INFO);
    }

    @AfterEach
    void stop() throws InterruptedException {
        attacking.set(false);
        for (Thread t : attackers) {
            t.join(10_000);
        }
        if (client != null) {
            client.closeGracefully();
        }
        try {
            Files.write(Path.of("target", "hostile-traffic-it-stderr.log"), stderr, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            // only a diagnostic
        }
        if (twilio != null) {
            twilio.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    private void attack(String name, Runnable loop) {
        Thread t = new Thread(loop, name);
        t.setDaemon(true);
        attackers.add(t);
        t.start();
    }

    private JsonNode call(String tool, Map<String, Object> args) throws IOException {
        McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest(tool, args));
        JsonNode body = Json.MAPPER.readTree(((McpSchema.TextContent) result.content().get(0)).text());
        assertThat(result.isError()).as(tool + " " + body).isFalse();
        return body;
    }

    /** Starts a payment on {@code call}, subscribes, asks for the card number and waits until the client hears it captured. */
    private void takeAPayment(String call) throws IOException {
        JsonNode started = call("startPaymentCapture", Map.of("callSid", call, "chargeAmount", "9.99"));
        String uri = started.path("statusResource").asText();
        String paymentSid = started.path("paymentSid").asText();
        client.subscribeResource(new McpSchema.SubscribeRequest(uri));
        call("captureCardNumber", Map.of("callSid", call, "paymentSid", paymentSid));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> heard.getOrDefault(uri, List.of()).stream()
                    .anyMatch(text -> text.contains("\"state\":\"field-complete\"")));
            await().atMost(Duration.ofSeconds(10)).until(() -> logs.stream().anyMatch(l -> "callbacks".equals(l.logger())
                    && l.data().contains(paymentSid) && l.data().contains("field-complete")));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not heard: updates read " + heard.get(uri) + "; logs " + logs, e);
        }
    }

    private long refusalNotifications() {
        return logs.stream().filter(l -> l.data().contains("Refused") || l.data().contains("Closed a connection")).count();
    }

    @Test
    void aFloodOfRefusedPostsCostsAFewNotificationsAndAPaymentStillProgresses() throws Exception {
        launch(List.of(), List.of());
        call("startPaymentCapture", Map.of("callSid", "CA0123456789abcdef0123456789abcdef"));
        AtomicLong refused = new AtomicLong();
        byte[] post = ("POST /callbacks/not-the-secret-0123456789abcdefghijklmnopq HTTP/1.1\r\nHost: a\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\nSid=PK1").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 2; i++) {
            attack("flood-" + i, () -> {
                byte[] answer = new byte[512];
                while (attacking.get()) {
                    try (Socket socket = new Socket("127.0.0.1", port)) {
                        socket.setSoTimeout(5_000);
                        socket.getOutputStream().write(post);
                        InputStream in = socket.getInputStream();
                        if (in.read(answer) > 0 && answer[9] == '4') {
                            refused.incrementAndGet();
                        }
                    } catch (IOException e) {
                        // the server may close first; the flood goes on
                    }
                }
            });
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> refused.get() >= 2_000);
        takeAPayment(CALL);
        await().atMost(Duration.ofSeconds(60)).until(() -> refused.get() >= 20_000);
        attacking.set(false);
        System.out.printf("flood: %d refused posts, %d refusal notifications%n", refused.get(), refusalNotifications());

        assertThat(refusalNotifications()).as("%d refused posts", refused.get()).isBetween(1L, 6L);
        assertThat(logs).noneMatch(l -> l.data().contains("were dropped"));
        assertThat(String.join("\n", stderr)).doesNotContain("Sid=PK1");
        assertThat(stderr.stream().filter(l -> l.contains("Refused")).count()).isLessThanOrEqualTo(6);
    }

    @Test
    void elevenHundredSlowConnectionsAtA1024DescriptorLimitLeaveRoomForTheTunnelCheckAndANewPayment() throws Exception {
        launch(List.of("bash", "-c", "ulimit -n 1024 && exec \"$0\" \"$@\""), List.of());
        call("startPaymentCapture", Map.of("callSid", "CA0123456789abcdef0123456789abcdef"));
        AtomicLong opened = new AtomicLong();
        AtomicLong closedByServer = new AtomicLong();
        attack("slow", () -> slowConnections(1_100, opened, closedByServer));
        // Every connection has been opened and the server has ended at least as many: the deadline and the limit at work.
        await().atMost(Duration.ofSeconds(90)).until(() -> opened.get() >= 1_100 && closedByServer.get() >= 1_100);

        takeAPayment(CALL);
        System.out.printf("slow connections: %d opened, %d closed by the server, %d refusal notifications; payment captured%n",
                opened.get(), closedByServer.get(), refusalNotifications());
        assertThat(closedByServer.get()).as("still under attack").isLessThan(opened.get());
        assertThat(logs).filteredOn(l -> l.data().contains("cannot reach this server"))
                .allMatch(l -> l.data().contains("turning away a flood"));
        assertThat(stderr).noneMatch(l -> l.contains("Accept Failure") || l.contains("Too many open files"));
        assertThat(refusalNotifications()).isLessThanOrEqualTo(30);
    }

    /**
     * Keeps {@code count} connections open, each sending one more byte of a never-ending header
     * every second; reopens each one the server closes.
     */
    private void slowConnections(int count, AtomicLong opened, AtomicLong closedByServer) {
        SocketChannel[] channels = new SocketChannel[count];
        byte[] start = "POST /callbacks/slow HTTP/1.1\r\nHost: a\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer read = ByteBuffer.allocate(1024);
        try {
            while (attacking.get()) {
                for (int i = 0; i < count && attacking.get(); i++) {
                    SocketChannel channel = channels[i];
                    try {
                        if (channel == null) {
                            channel = SocketChannel.open();
                            channel.configureBlocking(false);
                            channels[i] = channel;
                            if (channel.connect(new InetSocketAddress("127.0.0.1", port))) {
                                opened.incrementAndGet();
                                channel.write(ByteBuffer.wrap(start));
                            }
                        } else if (channel.isConnectionPending()) {
                            if (channel.finishConnect()) {
                                opened.incrementAndGet();
                                channel.write(ByteBuffer.wrap(start));
                            }
                        } else {
                            read.clear();
                            if (channel.read(read) < 0) {
                                throw new IOException("closed by the server");
                            }
                            channel.write(ByteBuffer.wrap(new byte[] {'a'}));
                        }
                    } catch (IOException e) {
                        if (channel != null && channel.isConnected()) {
                            closedByServer.incrementAndGet();
                        }
                        close(channel);
                        channels[i] = null;
                    }
                }
                // The attack's own pace: a byte a second on each connection.
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        } finally {
            for (SocketChannel channel : channels) {
                close(channel);
            }
        }
    }

    private static void close(SocketChannel channel) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // already gone
        }
    }

    @Test
    void twoThousandParked64KbBodiesOnAWrongPathGrowRssByLessThan48Mib() throws Exception {
        launch(List.of(), README_FLAGS);
        takeAPayment(CALL);
        long pid = ProcessHandle.current().children().filter(p -> p.info().commandLine().orElse("").contains(marker))
                .findFirst().orElseThrow().pid();
        Path status = Path.of("/proc/" + pid + "/status");
        long baseline = kib(status, "VmRSS:");
        // Reset the peak (VmHWM) to the current RSS, so the peak measured below is the attack's.
        Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");

        byte[] head = ("POST /callbacks/not-the-secret HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 65536\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        // One byte short of the announced length: a server that reads bodies before checking the path holds each one.
        byte[] body = new byte[65535];
        java.util.Arrays.fill(body, (byte) 'a');
        List<SocketChannel> parked = new ArrayList<>();
        Map<SocketChannel, ByteBuffer[]> unanswered = new java.util.HashMap<>();
        try {
            for (int i = 0; i < 2_000; i++) {
                SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                channel.configureBlocking(false);
                parked.add(channel);
                unanswered.put(channel, new ByteBuffer[] {ByteBuffer.wrap(head), ByteBuffer.wrap(body)});
            }
            // Each connection sends all it can and parks; done when every one is answered (or cut off), or when the
            // ceiling has already been passed (a server that buffers the bodies and answers only once they are complete).
            ByteBuffer answer = ByteBuffer.allocate(4096);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                unanswered.entrySet().removeIf(entry -> {
                    try {
                        answer.clear();
                        if (entry.getKey().read(answer) != 0) {
                            return true;
                        }
                        entry.getKey().write(entry.getValue());
                        return false;
                    } catch (IOException e) {
                        return true;
                    }
                });
                return unanswered.isEmpty() || kib(status, "VmRSS:") - baseline >= 48 * 1024;
            });
            long peak = kib(status, "VmHWM:");
            long after = kib(status, "VmRSS:");
            System.out.printf("parked bodies: RSS baseline %d KiB, peak %d KiB (+%d), after %d KiB%n", baseline, peak,
                    peak - baseline, after);
            assertThat(peak - baseline).as("RSS growth in KiB (baseline %d KiB, peak %d KiB, now %d KiB)", baseline, peak, after)
                    .isLessThan(48 * 1024);
        } finally {
            for (SocketChannel channel : parked) {
                close(channel);
            }
        }
        takeAPayment("CA0123456789abcdef0123456789abcdef");
    }

    private static long kib(Path status, String field) throws IOException {
        return Files.readAllLines(status).stream().filter(l -> l.startsWith(field)).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).orElseThrow();
    }
}
