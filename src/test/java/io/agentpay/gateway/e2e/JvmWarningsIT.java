package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.json.Json;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JVM writes its own warnings to stdout unless told otherwise, and stdout carries JSON-RPC only: every
 * launch line the project documents or ships sends them to stderr, and a server launched as the README says
 * keeps stdout clean even when a flag set globally makes the JVM warn.
 */
@Timeout(120)
class JvmWarningsIT {
    static final String DISABLE = "-Xlog:disable";
    static final String TO_STDERR = "-Xlog:all=warning:stderr";
    /** Warns through unified logging (stdout by default) on a machine without large pages configured. */
    static final String WARNING_OPTION = "-XX:+UseLargePages";

    static List<String> readme() throws Exception {
        return Files.readAllLines(Path.of("README.md"));
    }

    /** The {@code args} of the README's claude_desktop_config.json example. */
    static List<String> claudeDesktopArgs() throws Exception {
        String text = String.join("\n", readme());
        int start = text.indexOf("```json", text.indexOf("## Use it with Claude Desktop")) + "```json".length();
        JsonNode config = Json.MAPPER.readTree(text.substring(start, text.indexOf("```", start)));
        List<String> args = new ArrayList<>();
        config.path("mcpServers").elements().next().path("args").forEach(arg -> args.add(arg.asText()));
        return args;
    }

    @Test
    void everyLaunchLineTheProjectDocumentsOrShipsSendsJvmWarningsToStderr() throws Exception {
        List<String> readmeLaunches = new ArrayList<>();
        boolean inCode = false;
        for (String line : readme()) {
            if (line.startsWith("```")) {
                inCode = !inCode;
            } else if (inCode && line.matches(".*\\bjava\\b.*-jar\\b.*")) {
                readmeLaunches.add(line);
            }
        }
        assertThat(readmeLaunches).hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(line -> assertThat(line).contains(DISABLE + " " + TO_STDERR + " -jar"));
        assertThat(claudeDesktopArgs()).startsWith(DISABLE, TO_STDERR);
        assertThat(Files.readString(Path.of("bench/jvm-flags"))).startsWith(DISABLE + " " + TO_STDERR + " ");
        List<Path> scripts;
        try (Stream<Path> files = Files.list(Path.of("bench"))) {
            scripts = files.filter(p -> p.toString().endsWith(".sh")).toList();
        }
        for (Path script : scripts) {
            assertThat(Files.readAllLines(script)).filteredOn(line -> line.matches("\\s*(run |A=\")?java .*"))
                    .as(script.toString()).allSatisfy(line -> assertThat(line).containsAnyOf("$JVM_FLAGS ", "$LOG_FLAGS "));
        }
        assertThat(Files.readString(Path.of("src/main/java/io/agentpay/gateway/demo/DemoCommand.java")))
                .contains("\"" + DISABLE + "\", \"" + TO_STDERR + "\"");
    }

    @Test
    void aJvmWarningCannotReachStdoutOfAServerLaunchedAsTheReadmeSays() throws Exception {
        Process probe = new ProcessBuilder(JarProcess.java(), WARNING_OPTION, "-version").redirectErrorStream(true).start();
        String probeOutput = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        probe.waitFor();
        assumeTrue(probeOutput.contains("[warning]"), "this machine has large pages, so " + WARNING_OPTION + " does not warn");

        List<String> command = new ArrayList<>(List.of(JarProcess.java()));
        claudeDesktopArgs().forEach(arg -> command.add(arg.endsWith(".jar") ? JarProcess.jar().toString() : arg));
        command.addAll(List.of("--sandbox", "--callback-port", "0"));
        File stderr = File.createTempFile("jvm-warnings", ".log");
        stderr.deleteOnExit();
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr);
        builder.environment().put("JAVA_TOOL_OPTIONS", WARNING_OPTION);
        Process process = builder.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            OutputStream in = process.getOutputStream();
            in.write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"warnings\",\"version\":\"1\"}}}\n"
                    + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                    + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                JsonNode message = Json.MAPPER.readTree(line);
                assertThat(message.path("jsonrpc").asText()).as("every stdout line is JSON-RPC: " + line).isEqualTo("2.0");
                if (message.path("id").asInt() == 2) {
                    in.close();
                }
            }
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"id\":2"));
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(stderr.toPath())).as("the warning went to stderr").contains("[warning]");
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void theDemosServerKeepsJvmWarningsOffItsStdout() throws Exception {
        CliIT.Run run = CliIT.run(Map.of("JAVA_TOOL_OPTIONS", WARNING_OPTION), "demo");
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("outcome: completed");
    }
}
