package io.agentpay.gateway.demo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.Main;
import io.agentpay.gateway.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How the demo ends: its MCP client closes only once nothing is on its way to it. The demo runs in its own JVM, as a
 * user runs it, and its server is the real server behind {@link LateUpdateServer}, which makes the late update that
 * once in a few runs printed two SDK lines on stderr after "Demo finished" happen every time.
 */
@Timeout(240)
class DemoShutdownTest {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @Test
    void anUpdateThatArrivesAsThePaymentEndsIsReadBeforeTheClientClosesAndNothingFollowsTheLastLine() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), LateUpdateDemo.class.getName());
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        // Its output goes to files: a pipe nobody reads while the test waits could fill and stop the demo.
        Path outFile = Files.createTempFile("demo", ".out");
        Path errFile = Files.createTempFile("demo", ".err");
        builder.redirectOutput(outFile.toFile()).redirectError(errFile.toFile());
        Process demo = builder.start();
        demo.getOutputStream().close();
        // A hang guard only: the demo takes seconds; a client that waited for an answer never sent would take 30 s more.
        assertThat(demo.waitFor(180, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(outFile, UTF_8);
        String err = Files.readString(errFile, UTF_8);
        Files.delete(outFile);
        Files.delete(errFile);

        assertThat(demo.exitValue()).as(out + err).isZero();
        assertThat(err).as("stderr of a demo that finished").isEmpty();
        // The late update reached the client and the SDK's read for it was answered: the race happened, and was won.
        assertThat(out).contains("Received 1 resource-updated notifications", "Demo finished as the scenario expects.");
    }

    /** The demo's command, run with {@link LateUpdateServer} as its server. */
    public static final class LateUpdateDemo {
        public static void main(String[] args) {
            System.exit(new DemoCommand(System.out, System.err, LateUpdateServer.class).run("default", List.of()));
        }
    }

    /**
     * The real server ({@link Main}, same arguments) behind a relay on its stdin and stdout. The relay keeps back the
     * server's own resource-updated notifications and sends one of its own just before the answer that first shows the
     * payment final, so the SDK client's reader sends its read of the resource before the demo sees the outcome; and
     * it holds the answer to that read until the client says anything more (or closes the server's stdin).
     */
    public static final class LateUpdateServer {
        private static final Set<String> FINAL = Set.of("completed", "failed", "cancelled");
        private final PrintStream toClient = System.out;
        private boolean injected;
        private String heldId;
        private String heldAnswer;
        private boolean released;

        public static void main(String[] args) throws Exception {
            // As the demo starts it: the JVM's own warnings on stderr, never on the stdout the relay reads.
            List<String> command = new ArrayList<>(List.of(JAVA, "-Xlog:disable", "-Xlog:all=warning:stderr",
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            command.addAll(List.of(args));
            Process server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            LateUpdateServer relay = new LateUpdateServer();
            Thread fromServer = new Thread(() -> lines(server.getInputStream(), relay::fromServer));
            fromServer.start();
            OutputStream toServer = server.getOutputStream();
            lines(System.in, line -> {
                relay.fromClient(line);
                write(toServer, line);
            });
            relay.release();
            toServer.close();
            fromServer.join();
            System.exit(server.waitFor());
        }

        private synchronized void fromServer(String line) {
            JsonNode message = parse(line);
            if (message.path("method").asText().equals("notifications/resources/updated")) {
                return;
            }
            if (message.path("id").asText().equals(heldId) && !released) {
                heldAnswer = line;
                return;
            }
            JsonNode contents = message.path("result").path("contents").path(0);
            if (!injected && contents.has("text") && FINAL.contains(parse(contents.path("text").asText()).path("state").asText())) {
                injected = true;
                toClient.println(Json.MAPPER.valueToTree(Map.of("jsonrpc", "2.0", "method", "notifications/resources/updated",
                        "params", Map.of("uri", contents.path("uri").asText()))));
            }
            toClient.println(line);
            toClient.flush();
        }

        private synchronized void fromClient(String line) {
            JsonNode message = parse(line);
            if (injected && heldId == null && message.path("method").asText().equals("resources/read")) {
                heldId = message.path("id").asText();
            } else if (heldId != null) {
                release();
            }
        }

        private synchronized void release() {
            if (!released && heldAnswer != null) {
                toClient.println(heldAnswer);
                toClient.flush();
            }
            released = true;
        }

        private static void lines(InputStream stream, Consumer<String> each) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    each.accept(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void write(OutputStream out, String line) {
            try {
                out.write((line + "\n").getBytes(UTF_8));
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static JsonNode parse(String json) {
            try {
                return Json.MAPPER.readTree(json);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
