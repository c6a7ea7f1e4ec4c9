package io.agentpay.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The raw look at the command line that lets stdin be read before parsing must never say stdio where the parser
 * says anything else (help, version, the demo, Streamable HTTP): then the early reader would take the demo's stdin
 * or answer on a stdout that carries help text. Every command line of up to three words from a vocabulary of
 * options, values and look-alikes is checked against {@link ServerCommand}.
 */
class StdioLaunchTest {
    static final String AC = "ACa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    static final String SK = "SKb2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
    static final List<String> WORDS = List.of(AC, SK, "secret", "demo", "--sandbox", "--help", "-h", "-V", "--version",
            "-hV", "--http-port", "--http-port=0", "0", "--currency", "--currency=EUR", "--public-url=https://pay.example.com",
            "--", "@args.txt", "--scenario", "--no-such-option");

    @Test
    void aCommandLineTakenForStdioIsStdioOrAnErrorForTheParser() {
        List<List<String>> lines = new ArrayList<>();
        lines.add(List.of());
        for (String a : WORDS) {
            lines.add(List.of(a));
            for (String b : WORDS) {
                lines.add(List.of(a, b));
                for (String c : WORDS) {
                    lines.add(List.of(a, b, c));
                }
            }
        }
        int stdio = 0;
        for (Map<String, String> env : List.of(Map.of("PUBLIC_URL", "https://pay.example.com"),
                Map.of("PUBLIC_URL", "https://pay.example.com", "MCP_HTTP_PORT", "0"), Map.of("MCP_HTTP_PORT", " "))) {
            for (List<String> line : lines) {
                String[] args = line.toArray(String[]::new);
                if (!StdioLaunch.servesStdio(args, env)) {
                    continue;
                }
                stdio++;
                String parsed = parse(env, args);
                assertThat(parsed).as(env + " " + line).isIn("stdio", "error");
            }
        }
        assertThat(stdio).as("command lines taken for stdio").isGreaterThan(1000);
    }

    @Test
    void theReadmesLaunchLinesServeStdioFromTheStart() {
        Map<String, String> env = Map.of("TWILIO_ACCOUNT_SID", AC, "PUBLIC_URL", "https://pay.example.com");
        for (String[] args : List.of(new String[0], new String[] {"--sandbox"}, new String[] {AC, SK, "secret"},
                new String[] {AC, SK, "secret", "--currency", "EUR", "--callback-port=4001"})) {
            assertThat(StdioLaunch.servesStdio(args, env)).as(String.join(" ", args)).isTrue();
        }
        assertThat(StdioLaunch.servesStdio(new String[0], Map.of("MCP_HTTP_PORT", "8080"))).isFalse();
    }

    private static String parse(Map<String, String> env, String[] args) {
        ServerCommand command = new ServerCommand(env::get, "1.0.0", () -> new ServerCommand.SandboxCredentials(AC, SK, "s"));
        try {
            ServerCommand.Invocation invocation = command.parse(args, new PrintWriter(new StringWriter()));
            return invocation instanceof ServerCommand.Serve serve && serve.config().http() == null ? "stdio"
                    : invocation.getClass().getSimpleName();
        } catch (ConfigException e) {
            return "error";
        }
    }
}
