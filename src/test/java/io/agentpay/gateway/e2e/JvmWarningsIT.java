package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
    static final String AUTO_ARCHIVE = "-XX:+AutoCreateSharedArchive";
    static final String ARCHIVE_FILE = "-XX:SharedArchiveFile=";

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

        List<String> command = readmeCommand(JarProcess.java(), Runtime.version().feature(), null);
        File stderr = File.createTempFile("jvm-warnings", ".log");
        stderr.deleteOnExit();
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr);
        builder.environment().put("JAVA_TOOL_OPTIONS", WARNING_OPTION);
        Process process = builder.start();
        try {
            List<String> lines = listTools(process);
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"id\":2"));
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(stderr.toPath())).as("the warning went to stderr").contains("[warning]");
        } finally {
            process.destroyForcibly();
        }
    }

    /**
     * The README's class-data sharing flags on a JVM that has them (Java 19+): whatever the archive is (not there
     * yet, another file's bytes, a place that cannot be written), the server answers and stdout carries JSON-RPC
     * only; a missing archive is written when the server exits.
     */
    @Test
    void noStateOfTheClassDataArchiveReachesStdout(@TempDir Path dir) throws Exception {
        String java = javaWithArchiveFlags();
        assumeTrue(java != null, "no Java 19 or newer here");
        Path missing = dir.resolve("missing.jsa");
        Path garbage = Files.write(dir.resolve("garbage.jsa"), "not an archive".repeat(1000).getBytes(StandardCharsets.UTF_8));
        Path unwritable = Files.createFile(dir.resolve("a-file")).resolve("under-a-file.jsa");
        for (Path archive : List.of(missing, garbage, unwritable)) {
            List<String> command = readmeCommand(java, 19, archive);
            assertThat(command).as("the README's launch line names the archive").contains(ARCHIVE_FILE + archive);
            Path stderr = Files.createTempFile(dir, "stderr", ".log");
            Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            try {
                // Exits once the services are up: JDK 25.0.3 can crash writing the archive while a thread is still
                // starting them (its report goes to stderr with these flags, but then no archive is written).
                List<String> lines = listTools(process, () -> await().atMost(Duration.ofSeconds(60))
                        .until(() -> Files.readString(stderr).contains("Sandbox ready")));
                assertThat(lines).as(archive.toString()).anySatisfy(l -> assertThat(l).contains("\"id\":2"));
                assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                process.destroyForcibly();
            }
        }
        assertThat(missing).as("written at exit").isNotEmptyFile();
    }

    /**
     * The README's Claude Desktop command for the sandbox on a Java of that version: the built jar, the archive at
     * {@code archive}; without the archive flags on Java 17 and 18, as the README says.
     */
    static List<String> readmeCommand(String java, int version, Path archive) throws Exception {
        List<String> command = new ArrayList<>(List.of(java));
        for (String arg : claudeDesktopArgs()) {
            if (version < 19 && (arg.equals(AUTO_ARCHIVE) || arg.startsWith(ARCHIVE_FILE))) {
                continue;
            }
            command.add(arg.endsWith(".jar") ? JarProcess.jar().toString() : arg.startsWith(ARCHIVE_FILE) ? ARCHIVE_FILE + archive : arg);
        }
        command.addAll(List.of("--sandbox", "--callback-port", "0"));
        return command;
    }

    /** A Java of 19 or newer: this one, else one of the machine's installed JDKs; null if there is none. */
    static String javaWithArchiveFlags() throws Exception {
        if (Runtime.version().feature() >= 19) {
            return JarProcess.java();
        }
        List<Path> homes;
        try (Stream<Path> jvms = Files.list(Path.of("/usr/lib/jvm"))) {
            homes = jvms.filter(home -> Files.isExecutable(home.resolve("bin/java")) && Files.isRegularFile(home.resolve("release")))
                    .toList();
        } catch (java.io.IOException e) {
            return null;
        }
        for (Path home : homes) {
            java.util.regex.Matcher version = java.util.regex.Pattern.compile("JAVA_VERSION=\"(\\d+)")
                    .matcher(Files.readString(home.resolve("release")));
            if (version.find() && Integer.parseInt(version.group(1)) >= 19) {
                return home.resolve("bin/java").toString();
            }
        }
        return null;
    }

    /** Sends initialize, initialized and tools/list, closes stdin once tools/list is answered; every stdout line is JSON-RPC. */
    static List<String> listTools(Process process) throws Exception {
        return listTools(process, () -> { });
    }

    /** The same, running {@code beforeClosing} once tools/list is answered and before stdin is closed. */
    static List<String> listTools(Process process, Runnable beforeClosing) throws Exception {
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
                beforeClosing.run();
                in.close();
            }
        }
        return lines;
    }

    @Test
    void theDemosServerKeepsJvmWarningsOffItsStdout() throws Exception {
        CliIT.Run run = CliIT.run(Map.of("JAVA_TOOL_OPTIONS", WARNING_OPTION), "demo");
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("outcome: completed");
    }
}
