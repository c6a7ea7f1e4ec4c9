package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.json.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data archive a launch line names: the first session makes it (in a child JVM, out of the
 * client's way), the next launch reads the jar's classes from it, and a jar rebuilt since turns it
 * off for one launch (the JVM's note on stderr, stdout JSON-RPC only) until the server has made it
 * again.
 */
@Timeout(300)
class ClassDataArchiveIT {
    private static final String CALL_SID = "CA" + "0".repeat(28) + "7e57";

    @TempDir
    Path dir;

    /** One stdio session: initialize, tools/list, one startPaymentCapture; every stdout line JSON-RPC. */
    private final class Session implements AutoCloseable {
        final Process process;
        final Path stderr;
        final List<String> stdout = new ArrayList<>();
        private final BufferedReader out;

        Session(String name, String... extraJvmOptions) throws Exception {
            Path jar = dir.resolve("gateway.jar");
            List<String> command = new ArrayList<>(List.of(JarProcess.java(), "-Xlog:disable", "-Xlog:all=warning:stderr",
                    "-XX:+DisplayVMOutputToStderr", "-XX:SharedArchiveFile=" + dir.resolve("gateway.jsa"),
                    "-Dagentpay.classDataArchive.delayMillis=0"));
            command.addAll(List.of(extraJvmOptions));
            command.addAll(List.of("-jar", jar.toString(), "--sandbox", "--callback-port", "0"));
            stderr = dir.resolve(name + ".stderr");
            process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"archive-it\",\"version\":\"1\"}}}");
            answer(1);
            send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
            assertThat(answer(2).path("result").path("tools").size()).isGreaterThan(5);
            send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"startPaymentCapture\","
                    + "\"arguments\":{\"callSid\":\"" + CALL_SID + "\",\"chargeAmount\":\"1.00\"}}}");
            JsonNode call = answer(3);
            assertThat(call.path("result").path("isError").asBoolean()).as(call.toString()).isFalse();
        }

        private void send(String line) throws Exception {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        private JsonNode answer(int id) throws Exception {
            while (true) {
                String line = out.readLine();
                assertThat(line).as("stdout ended before answer %d; stderr: %s", id, Files.readString(stderr)).isNotNull();
                stdout.add(line);
                JsonNode node = Json.MAPPER.readTree(line);
                assertThat(node.path("jsonrpc").asText()).as("every stdout line is JSON-RPC: %s", line).isEqualTo("2.0");
                if (node.path("id").asInt(-1) == id && !node.has("method")) {
                    return node;
                }
            }
        }

        String errors() throws Exception {
            return Files.readString(stderr);
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            String line;
            while ((line = out.readLine()) != null) {
                stdout.add(line);
                assertThat(Json.MAPPER.readTree(line).path("jsonrpc").asText()).as(line).isEqualTo("2.0");
            }
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    private Path stamp() {
        return dir.resolve("gateway.jsa.stamp");
    }

    private static boolean fromArchive(Path classLoadLog, String className) throws Exception {
        return Files.readAllLines(classLoadLog).stream()
                .anyMatch(line -> line.contains(" " + className + " source: shared objects file"));
    }

    @Test
    void theFirstSessionMakesTheArchiveTheNextLaunchUsesItAndARebuiltJarGetsANewOne() throws Exception {
        Files.copy(JarProcess.jar(), dir.resolve("gateway.jar"));

        try (Session first = new Session("first")) {
            // the stamp is written last, then the line is logged
            await().atMost(Duration.ofMinutes(3)).until(() -> first.errors().contains("Class-data archive written to "
                    + dir.resolve("gateway.jsa")));
            assertThat(stamp()).exists();
        }
        assertThat(Files.size(dir.resolve("gateway.jsa"))).isGreaterThan(1_000_000);
        String stamp = Files.readString(stamp());
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no unfinished archive or class list left behind")
                    .noneMatch(name -> name.endsWith(".partial") || name.endsWith(".classlist"));
        }

        Path loaded = dir.resolve("second-classes.txt");
        try (Session second = new Session("second", "-Xlog:class+load=info:file=" + loaded)) {
            assertThat(fromArchive(loaded, "io.agentpay.gateway.Main")).as("the gateway's classes come from the archive").isTrue();
            assertThat(fromArchive(loaded, "io.modelcontextprotocol.server.McpServer")).as("and the SDK's").isTrue();
            assertThat(fromArchive(loaded, "io.agentpay.gateway.sandbox.PaySimulator")).as("the simulator is not archived").isFalse();
        }
        assertThat(Files.readString(stamp())).as("a current archive is left as it is").isEqualTo(stamp);

        Path jar = dir.resolve("gateway.jar");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
        Path stale = dir.resolve("third-classes.txt");
        try (Session third = new Session("third", "-Xlog:class+load=info:file=" + stale)) {
            assertThat(fromArchive(stale, "io.agentpay.gateway.Main")).as("the JVM refuses an archive made for another jar").isFalse();
            // the old stamp goes first, the new one comes once the new archive is in place
            await().atMost(Duration.ofMinutes(3)).until(() -> third.errors().contains("Class-data archive written to"));
            assertThat(Files.readString(stamp())).as("made again, for the rebuilt jar").isNotEqualTo(stamp);
        }
    }
}
