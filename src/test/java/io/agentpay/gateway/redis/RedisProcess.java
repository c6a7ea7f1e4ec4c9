package io.agentpay.gateway.redis;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import redis.embedded.core.ExecutableProvider;
import redis.embedded.util.IO;

/**
 * A real redis-server on a free loopback port, in a scratch directory, for one test class. The binary is the
 * {@code redis.server} system property (or {@code REDIS_SERVER} variable) if set, else {@code redis-server} on PATH
 * (the Debian package), else the one for this OS and architecture shipped in the embedded-redis artifact;
 * {@code embedded} as the property's value picks the shipped binary even when PATH has one.
 */
public final class RedisProcess implements AutoCloseable {
    private static final String EMBEDDED = "embedded";
    private final Path dir;
    private final int port;
    private final String executable;
    private Process process;

    public RedisProcess() throws IOException {
        this.dir = Files.createTempDirectory("redis-test");
        try (ServerSocket socket = new ServerSocket(0)) {
            this.port = socket.getLocalPort();
        }
        this.executable = executable(dir);
        start();
    }

    /** Starts (or restarts, on the same port) the server and waits until it answers PING. */
    public void start() throws IOException {
        process = new ProcessBuilder(List.of(executable, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(this::answersPing);
    }

    private static String executable(Path dir) throws IOException {
        String chosen = System.getProperty("redis.server", System.getenv("REDIS_SERVER"));
        if (chosen == null) {
            try {
                return IO.findBinaryInPath("redis-server").toString();
            } catch (FileNotFoundException notOnPath) {
                chosen = EMBEDDED;
            }
        }
        return chosen.equals(EMBEDDED) ? ExecutableProvider.newJarResourceProvider(dir.toFile()).get().getPath() : chosen;
    }

    /** Stops the server abruptly (as a crash or a network cut would look to clients). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public String url() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    private boolean answersPing() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = new byte[7];
            int n = in.read(answer);
            return n > 0 && new String(answer, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
