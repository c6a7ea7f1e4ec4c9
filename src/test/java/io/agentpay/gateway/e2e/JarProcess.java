package io.agentpay.gateway.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/** Where the built jar is and how to launch it, for the end-to-end tests. */
final class JarProcess {
    private JarProcess() {}

    static Path jar() {
        Path jar = Path.of(System.getProperty("gateway.jar", "target/twilio-agent-payments-mcp-gateway.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("Build the jar first (./mvnw -B verify runs these tests after packaging): " + jar);
        }
        return jar;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        return command;
    }

    private static final Pattern CALLBACK_PORT = Pattern.compile("Callbacks reach port (\\d+) ");

    /**
     * The port the jar's callback endpoint bound, from its "ready" line on stderr: tests start it on port 0
     * (no port picked by the test and freed again before the jar binds it, which another process could take).
     */
    static int callbackPort(List<String> stderr) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> stderr.stream().map(CALLBACK_PORT::matcher)
                .filter(Matcher::find).map(m -> Integer.parseInt(m.group(1))).findFirst(), Optional::isPresent).get();
    }

    /**
     * Launches the jar serving MCP over HTTP on {@code httpPort} with {@code env}, stderr to
     * {@code stderr}, and waits until its {@code /healthz} says ok.
     */
    static Process startHttp(int httpPort, Map<String, String> env, Path stderr, String... args) throws IOException {
        List<String> command = command(args);
        command.addAll(List.of("--http-port", String.valueOf(httpPort)));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        builder.redirectError(stderr.toFile());
        Process process = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/healthz"))
                .timeout(Duration.ofSeconds(5)).build();
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("The server exited: " + Files.readString(stderr));
            }
            return http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        });
        return process;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
