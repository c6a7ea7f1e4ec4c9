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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built MCP Bundle installed the way a host installs it: unpacked into a folder (with
 * non-ASCII characters in its path), started exactly as its manifest says, with
 * {@code ${__dirname}} and {@code ${user_config.*}} substituted, the manifest's environment over a
 * host environment that holds no locale, and settings left empty passed through unsubstituted (as
 * Claude Desktop does). The credentials reach the server only through that environment.
 */
@Timeout(120)
class BundleIT {
    static final String CALL = "CA0123456789abcdef0123456789abcd42";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(__dirname|user_config\\.([a-z_]+))}");

    @TempDir Path temp;
    private Path dir;
    private JsonNode manifest;
    private PaySimulator twilio;
    private McpSyncClient client;
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private TcpRelay relay;

    @BeforeEach
    void install() throws IOException {
        Path bundle = Path.of(System.getProperty("gateway.mcpb", "target/twilio-agent-payments-mcp-gateway.mcpb"));
        assertThat(bundle).as("build the bundle first: ./mvnw -B verify").isRegularFile();
        dir = unzip(bundle, temp.resolve("Zahlungsgerät – Bündel"));
        manifest = Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.closeGracefully();
        }
        if (twilio != null) {
            twilio.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void theBundleTakesAPaymentThroughTheTwilioEmulatorWithCredentialsFromTheManifestsEnvironment() throws Exception {
        twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), Duration.ofMillis(20));
        PaySimulator.Credentials c = twilio.credentials();
        // The public URL is a relay the test owns; the server binds any free port and says which on stderr.
        relay = new TcpRelay();
        int publicPort = relay.start();
        Map<String, Object> settings = Map.of("account_sid", c.accountSid(), "api_key", c.apiKey(),
                "api_secret", c.apiSecret(), "auth_token", c.authToken(),
                "public_url", "http://localhost:" + publicPort, "callback_port", 0);
        // The host's own environment: where Java is, and (the manifest does not set it) the emulator as Twilio.
        Map<String, String> host = Map.of("JAVA_HOME", System.getProperty("java.home"),
                "TWILIO_API_BASE_URL", twilio.baseUrl().toString());
        List<String> launch = connect(settings, host);
        relay.target(JarProcess.callbackPort(stderr));

        assertThat(String.join(" ", launch)).as("no credential on the command line")
                .doesNotContain(c.accountSid()).doesNotContain(c.apiKey()).doesNotContain(c.apiSecret());
        assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name)
                .containsExactlyInAnyOrderElementsOf(manifest.path("tools").findValuesAsText("name"));

        JsonNode started = call("startPaymentCapture", Map.of("callSid", CALL, "chargeAmount", "7.25"));
        assertThat(started.has("sandbox")).as("a real account's payment, not the sandbox: " + started).isFalse();
        String uri = started.path("statusResource").asText();
        Map<String, Object> session = Map.of("callSid", CALL, "paymentSid", started.path("paymentSid").asText());
        for (String tool : List.of("captureCardNumber", "captureSecurityCode", "captureExpirationDate")) {
            call(tool, session);
            await().atMost(Duration.ofSeconds(10)).until(() -> List.of("field-complete", "ready-to-complete")
                    .contains(status(uri).path("state").asText()));
        }
        call("completePaymentCapture", session);
        await().atMost(Duration.ofSeconds(10)).until(() -> status(uri).path("state").asText().equals("completed"));
        JsonNode done = status(uri);
        assertThat(done.path("paymentCardNumber").asText()).isEqualTo("xxxxxxxxxxxx1111");
        assertThat(done.path("chargeAmount").asText()).isEqualTo("7.25");
        assertThat(twilio.requests()).as("Twilio was called with the account from the environment")
                .anyMatch(r -> r.path().contains("/Accounts/" + c.accountSid() + "/Calls/" + CALL + "/Payments")
                        && c.apiKey().equals(r.user()));
        await().atMost(Duration.ofSeconds(5)).until(() -> !stderr.isEmpty()); // the server's log, read below
        assertThat(String.join("\n", stderr)).doesNotContain(c.apiSecret()).doesNotContain("4111111111111111");
    }

    @Test
    void theSandboxSettingRunsWithoutAnAccount() throws Exception {
        connect(Map.of("sandbox", true), Map.of("JAVA_HOME", System.getProperty("java.home")));
        JsonNode started = call("startPaymentCapture", Map.of("callSid", CALL));
        assertThat(started.toString()).contains("sandbox");
    }

    @Test
    void javaThatIsTooOldIsNamedOnStderrAndTheLauncherExits() throws Exception {
        Path oldJava = temp.resolve("jdk-11");
        Files.createDirectories(oldJava.resolve("bin"));
        Files.writeString(oldJava.resolve("release"), "JAVA_VERSION=\"11.0.21\"\n");
        Path java = Files.writeString(oldJava.resolve("bin").resolve("java"), "#!/bin/sh\nexit 0\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();
        assertThat(launcherFailure(oldJava)).contains("is Java 11").contains("needs Java 17 or newer").contains(oldJava.toString());
    }

    @Test
    void aJavaInstallationSettingWithoutJavaIsNamedOnStderr() throws Exception {
        Path notJava = Files.createDirectories(temp.resolve("Documents"));
        assertThat(launcherFailure(notJava)).contains(notJava.toString()).contains("has no bin/java")
                .contains("clear the setting");
    }

    /** Runs the bundle's command with the "Java installation" setting; it must exit 1; returns what it printed. */
    private String launcherFailure(Path javaHome) throws Exception {
        Map<String, Object> settings = Map.of("java_home", javaHome.toString());
        ProcessBuilder builder = new ProcessBuilder(launchCommand(settings)).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(launchEnvironment(settings, Map.of()));
        Process process = builder.start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Starts the bundle's server as its manifest says and connects an MCP client; returns the command line. */
    private List<String> connect(Map<String, Object> settings, Map<String, String> host) {
        List<String> command = launchCommand(settings);
        ServerParameters params = ServerParameters.builder(command.get(0)).args(command.subList(1, command.size()))
                .env(launchEnvironment(settings, host)).build();
        StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(Json.MAPPER)) {
            @Override
            protected ProcessBuilder getProcessBuilder() {
                ProcessBuilder builder = new ProcessBuilder();
                builder.environment().clear(); // only what the host passes: no locale of the test's own
                return builder;
            }
        };
        transport.setStdErrorHandler(stderr::add);
        client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build();
        try {
            client.initialize();
        } catch (RuntimeException e) {
            throw new AssertionError("the bundle's server did not start; its stderr:\n" + String.join("\n", stderr), e);
        }
        return command;
    }

    private List<String> launchCommand(Map<String, Object> settings) {
        JsonNode config = manifest.path("server").path("mcp_config");
        List<String> command = new ArrayList<>(List.of(substitute(config.path("command").asText(), settings)));
        config.path("args").forEach(arg -> command.add(substitute(arg.asText(), settings)));
        return command;
    }

    /** The host's environment (PATH plus {@code host}), then the manifest's {@code env}, substituted. */
    private Map<String, String> launchEnvironment(Map<String, Object> settings, Map<String, String> host) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.putAll(host);
        manifest.path("server").path("mcp_config").path("env").fields()
                .forEachRemaining(e -> env.put(e.getKey(), substitute(e.getValue().asText(), settings)));
        return env;
    }

    /**
     * {@code ${__dirname}} becomes the install folder; {@code ${user_config.key}} the value the user
     * set, else the manifest's default unless it is empty, else stays as written (what Claude
     * Desktop passes for a setting that has no value; the launcher must drop it).
     */
    private String substitute(String text, Map<String, Object> settings) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value;
            if (m.group(2) == null) {
                value = dir.toString();
            } else {
                JsonNode option = manifest.path("user_config").path(m.group(2));
                assertThat(option.isObject()).as("user_config." + m.group(2) + " is declared").isTrue();
                Object set = settings.get(m.group(2));
                String fallback = option.path("default").asText("");
                value = set != null ? String.valueOf(set) : !fallback.isEmpty() ? fallback : m.group();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }

    private JsonNode call(String tool, Map<String, Object> args) {
        McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest(tool, args));
        JsonNode body = parse(((McpSchema.TextContent) result.content().get(0)).text());
        assertThat(result.isError()).as(tool + " " + body + "\n" + String.join("\n", stderr)).isFalse();
        return body;
    }

    private JsonNode status(String uri) {
        McpSchema.ReadResourceResult read = client.readResource(new McpSchema.ReadResourceRequest(uri));
        return parse(((McpSchema.TextResourceContents) read.contents().get(0)).text());
    }

    private static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(text, e);
        }
    }

    private static Path unzip(Path zip, Path into) throws IOException {
        Files.createDirectories(into);
        Map<String, Boolean> seen = new HashMap<>();
        try (InputStream in = Files.newInputStream(zip); ZipInputStream entries = new ZipInputStream(in)) {
            for (ZipEntry entry; (entry = entries.getNextEntry()) != null; ) {
                Path target = into.resolve(entry.getName()).normalize();
                assertThat(target.startsWith(into)).as("entry inside the bundle: " + entry.getName()).isTrue();
                assertThat(seen.put(entry.getName(), true)).as("duplicate entry " + entry.getName()).isNull();
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(entries, target);
                }
            }
        }
        return into;
    }
}
