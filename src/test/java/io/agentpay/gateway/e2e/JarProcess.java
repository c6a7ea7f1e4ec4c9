package io.agentpay.gateway.e2e;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
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

    /** {@code java [bench.jvmFlags] -jar <jar> args}: the bench drivers pass the README's JVM flags in that property. */
    static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(java()));
        Arrays.stream(System.getProperty("bench.jvmFlags", "").trim().split("\\s+")).filter(f -> !f.isEmpty()).forEach(command::add);
        command.addAll(List.of("-jar", jar().toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** Hands each line of the jar's {@code stream} to {@code line} on a daemon thread named {@code name}, to its end. */
    static void readLines(InputStream stream, Consumer<String> line, String name) {
        Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)).lines()
                .forEach(line), name);
        reader.setDaemon(true);
        reader.start();
    }

    private static final Pattern CALLBACK_PORT = Pattern.compile("Callbacks reach port (\\d+) ");
    private static final Pattern MCP_URL = Pattern.compile("MCP \\(Streamable HTTP\\) at (http://\\S+):(\\d+)/mcp");

    /**
     * The port the jar's callback endpoint bound, from its "ready" line on stderr: tests start it on port 0
     * (no port picked by the test and freed again before the jar binds it, which another process could take).
     */
    static int callbackPort(List<String> stderr) {
        return Integer.parseInt(first(() -> stderr, CALLBACK_PORT).group(1));
    }

    /** The callback port of a jar whose stderr goes to the file {@code stderr}. */
    static int callbackPort(Path stderr) {
        return Integer.parseInt(first(() -> Files.readAllLines(stderr), CALLBACK_PORT).group(1));
    }

    /** Where a jar launched by {@link #startHttp} serves MCP ({@code http://host:port}, no path), from its stderr. */
    static URI httpBase(Path stderr) {
        return httpBase(first(() -> Files.readAllLines(stderr), MCP_URL));
    }

    /** The same, from stderr lines a test keeps. */
    static URI httpBase(List<String> stderr) {
        return httpBase(first(() -> stderr, MCP_URL));
    }

    private static URI httpBase(Matcher m) {
        return URI.create(m.group(1) + ":" + m.group(2));
    }

    private static Matcher first(Callable<List<String>> lines, Pattern pattern) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> lines.call().stream().map(pattern::matcher)
                .filter(Matcher::find).findFirst(), Optional::isPresent).get();
    }

    /**
     * Launches the jar serving MCP over HTTP on a port it picks ({@code --http-port 0}; read it with
     * {@link #httpBase}) with {@code env}, stderr to {@code stderr}. Route its callback port, then {@link #awaitHealthy}.
     */
    static Process startHttp(Map<String, String> env, Path stderr, String... args) throws IOException {
        return http(env, args).redirectError(stderr.toFile()).start();
    }

    /** The launch {@link #startHttp} makes, its stderr left for the caller to direct. */
    static ProcessBuilder http(Map<String, String> env, String... args) {
        List<String> command = command(args);
        command.addAll(List.of("--http-port", "0"));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        return builder;
    }

    /** Waits until the jar at {@code base} says ok on {@code /healthz}; fails with its stderr if it exits first. */
    static void awaitHealthy(Process process, URI base, Path stderr) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(base.resolve("/healthz")).timeout(Duration.ofSeconds(5)).build();
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("The server exited: " + Files.readString(stderr));
            }
            return http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        });
    }
}
