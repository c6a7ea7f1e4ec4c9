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
import java.util.ArrayList;
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
    private final String password;
    private final boolean persistent;
    private Process process;

    public RedisProcess() throws IOException {
        this(null, false);
        start();
    }

    private RedisProcess(String password, boolean persistent) throws IOException {
        this.dir = Files.createTempDirectory("redis-test");
        try (ServerSocket socket = new ServerSocket(0)) {
            this.port = socket.getLocalPort();
        }
        this.executable = executable(dir);
        this.password = password;
        this.persistent = persistent;
    }

    /**
     * A server not started yet (clients find nothing on its port until {@link #start()}), requiring
     * {@code password}, and keeping its data across a crash: the append-only file is fsynced before each
     * reply ({@code appendfsync always}), so {@link #kill()} loses nothing acknowledged. (With the default
     * {@code everysec} a write can wait behind a slow fsync while its reply goes out, and a crash then loses it.)
     */
    public static RedisProcess persistentNotStarted(String password) throws IOException {
        return new RedisProcess(password, true);
    }

    /** Starts (or restarts, on the same port and data directory) the server and waits until it answers PING. */
    public void start() throws IOException {
        List<String> command = new ArrayList<>(List.of(executable, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always", "--dir", dir.toString()));
        if (password != null) {
            command.addAll(List.of("--requirepass", password));
        }
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(
                ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
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

    /** Deletes what a stopped server kept on disk: it then starts empty, as one without persistence would. */
    public void wipe() throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                String name = file.getFileName().toString();
                if (!file.equals(dir) && (name.startsWith("appendonly") || name.endsWith(".rdb") || name.endsWith(".aof"))) {
                    Files.delete(file);
                }
            }
        }
    }

    /** {@code redis://127.0.0.1:port/0}, with the password when the server requires one. */
    public String url() {
        return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port + "/0";
    }

    public int port() {
        return port;
    }

    private boolean answersPing() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(((password == null ? "" : "AUTH " + password + "\r\n") + "PING\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            byte[] chunk = new byte[64];
            int n;
            while (!answer.toString().endsWith("\r\n") || password != null && answer.indexOf("\r\n") == answer.length() - 2) {
                if ((n = in.read(chunk)) < 0) {
                    return false;
                }
                answer.append(new String(chunk, 0, n, StandardCharsets.US_ASCII));
            }
            return answer.toString().endsWith("+PONG\r\n");
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
        }
    }
}
