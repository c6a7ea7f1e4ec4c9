package io.agentpay.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The built jar's command line, as a user runs it. */
@Timeout(240)
class CliIT {
    static final String AC = "ACa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    static final String SK = "SKb2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
    static final String SECRET = "s3cr3t-value-never-shown";

    record Run(int exit, String out, String err) {}

    static Run run(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(JarProcess.command(args));
        builder.environment().keySet().removeIf(k -> k.startsWith("NGROK") || k.startsWith("TWILIO_") || k.equals("PUBLIC_URL") || k.equals("TOKEN_TYPE")
                || k.equals("CURRENCY") || k.equals("CALLBACK_PORT") || k.startsWith("MCP_") || k.equals("REDIS_URL"));
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        // A hang guard only: a demo takes 15 s on a quiet machine, far longer on a loaded one.
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "bad account SID|ACnothex|" + SK + "|" + SECRET + "|accountSid) must be 'AC' followed by 32 hex characters",
            "bad API key|" + AC + "|SKshort|" + SECRET + "|apiKey) must be 'SK' followed by 32 hex characters",
            "account SID given as key|" + AC + "|" + AC + "|" + SECRET + "|apiKey) must be 'SK'",
            "secret given as account SID|" + SECRET + "|" + SK + "|" + AC + "|TWILIO_ACCOUNT_SID (or argument 1, accountSid) must be 'AC'"})
    void aMalformedCredentialExitsWithStatus2AndOneClearLine(String name, String account, String key, String secret,
                                                            String message) throws Exception {
        Run run = run(Map.of("PUBLIC_URL", "https://pay.example.com"), account, key, secret);
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().strip().lines().count()).isEqualTo(1);
        assertThat(run.err()).contains(message).doesNotContain(SECRET, "ACnothex", "SKshort");
    }

    @Test
    void theCredentialsCanComeFromTheEnvironmentAndAreNeverEchoed() throws Exception {
        Map<String, String> env = Map.of("PUBLIC_URL", "https://pay.example.com",
                "TWILIO_ACCOUNT_SID", AC, "TWILIO_API_KEY", SK, "TWILIO_API_SECRET", SECRET);
        Run run = run(env);
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).doesNotContain(SECRET);
        Run misplaced = run(Map.of("PUBLIC_URL", "https://pay.example.com",
                "TWILIO_ACCOUNT_SID", AC, "TWILIO_API_KEY", SECRET, "TWILIO_API_SECRET", SECRET));
        assertThat(misplaced.exit()).isEqualTo(2);
        assertThat(misplaced.err()).contains("TWILIO_API_KEY (or argument 2, apiKey) must be 'SK'").doesNotContain(SECRET);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "TOKEN_TYPE|forever|TOKEN_TYPE (--token-type) must be one of one-time, reusable, payment-method",
            "CURRENCY|dollars|CURRENCY (--currency) must be a three-letter ISO 4217 code",
            "CALLBACK_PORT|99999|CALLBACK_PORT (--callback-port) must be a port number from 0 to 65535",
            "CALLBACK_PORT|four|CALLBACK_PORT (--callback-port) must be a port number",
            "PUBLIC_URL|ftp://x|PUBLIC_URL (--public-url) must be an http(s) URL",
            "TWILIO_API_BASE_URL|not a url|TWILIO_API_BASE_URL (--twilio-api-base-url) must be an http(s) URL",
            "SESSION_TTL|soon|SESSION_TTL (--session-ttl) must be a duration",
            "TUNNEL_CHECK_INTERVAL|soon|TUNNEL_CHECK_INTERVAL (--tunnel-check-interval) must be a duration",
            "TUNNEL_CHECK_INTERVAL|100ms|TUNNEL_CHECK_INTERVAL (--tunnel-check-interval) must be a duration",
            "TUNNEL_CHECK_INTERVAL|PT0.5S|TUNNEL_CHECK_INTERVAL (--tunnel-check-interval) must be 0 (no check) or at least 1s",
            "NGROK_CUSTOM_DOMAIN|https://x.ngrok.app/|NGROK_CUSTOM_DOMAIN (--ngrok-custom-domain) must be a bare host name",
            "MCP_HTTP_PORT|99999|MCP_HTTP_PORT (--http-port) must be a port number from 0 to 65535",
            "MCP_HTTP_PORT|eighty|MCP_HTTP_PORT (--http-port) must be a port number",
            "REDIS_URL|localhost:6379|REDIS_URL (--redis-url) must be a redis:// or rediss:// URL"})
    void aMalformedSettingExitsWithStatus2NamingIt(String setting, String value, String message) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of("PUBLIC_URL", "https://pay.example.com"));
        env.put(setting, value);
        Run run = run(env, AC, SK, SECRET);
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains(message).doesNotContain(SECRET);
        assertThat(run.err().strip().lines().count()).isEqualTo(1);
    }

    @Test
    void mcpOverHttpOnAnAddressOtherMachinesReachIsRefusedWithoutAToken() throws Exception {
        Run run = run(Map.of("PUBLIC_URL", "https://pay.example.com"), AC, SK, SECRET, "--http-port", "0", "--http-host", "0.0.0.0");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("MCP_HTTP_HOST (--http-host) is 0.0.0.0").contains("MCP_AUTH_TOKEN (--mcp-auth-token)");
        assertThat(run.err().strip().lines().count()).isEqualTo(1);
        Run noToken = run(Map.of("PUBLIC_URL", "https://pay.example.com", "MCP_AUTH_TOKEN", " , "), AC, SK, SECRET, "--http-port", "0");
        assertThat(noToken.exit()).isEqualTo(2);
        assertThat(noToken.err()).contains("MCP_AUTH_TOKEN (--mcp-auth-token) holds no token");
        Run bareHost = run(Map.of("PUBLIC_URL", "https://pay.example.com", "MCP_ALLOWED_ORIGINS", "agent.example.com"),
                AC, SK, SECRET, "--http-port", "0");
        assertThat(bareHost.exit()).isEqualTo(2);
        assertThat(bareHost.err()).contains("MCP_ALLOWED_ORIGINS (--allowed-origins) must list origins");
    }

    @Test
    void anUnreachableRedisDoesNotStopStartUpAndIsNamedWithoutItsPassword() throws Exception {
        Run run = run(Map.of("PUBLIC_URL", "https://pay.example.com", "REDIS_URL", "redis://:" + SECRET + "@127.0.0.1:1/0"),
                AC, SK, SECRET);
        assertThat(run.exit()).isEqualTo(0); // it served until stdin closed
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("Redis at redis://127.0.0.1:1/0 cannot be reached").contains("REDIS_URL (--redis-url)")
                .doesNotContain(SECRET);
    }

    @Test
    void anOptionWinsOverTheEnvironment() throws Exception {
        Run run = run(Map.of("PUBLIC_URL", "https://pay.example.com", "CURRENCY", "usd-bad"), AC, SK, SECRET, "--currency", "eur");
        assertThat(run.err()).contains("CURRENCY (--currency)").contains("'eur'");
    }

    @Test
    void missingCredentialsSayWhatIsExpected() throws Exception {
        Run run = run(Map.of("PUBLIC_URL", "https://pay.example.com"), AC);
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("Twilio credentials missing: set TWILIO_API_KEY, TWILIO_API_SECRET in the environment");
        Run extra = run(Map.of("PUBLIC_URL", "https://pay.example.com"), AC, SK, SECRET, "another-secret");
        assertThat(extra.exit()).isEqualTo(2);
        assertThat(extra.err()).doesNotContain("another-secret");
    }

    @Test
    void withoutPublicUrlOrNgrokTheMessageNamesBoth() throws Exception {
        Run run = run(Map.of(), AC, SK, SECRET);
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("PUBLIC_URL (--public-url)").contains("NGROK_AUTH_TOKEN (--ngrok-auth-token)");
    }

    @Test
    void sandboxRefusesRealLookingCredentials() throws Exception {
        Run run = run(Map.of(), "--sandbox", AC, SK, SECRET);
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--sandbox runs without a Twilio account");
    }

    @Test
    void helpAndVersionPrintAndExitZero() throws Exception {
        Run help = run(Map.of(), "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Usage: twilio-agent-payments-mcp-gateway").contains("--public-url")
                .contains("Env: PUBLIC_URL").contains("--sandbox").contains("demo");
        Run version = run(Map.of(), "--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).matches("(?s)twilio-agent-payments-mcp-gateway \\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void theDemoTakesASandboxPaymentAndExitsZero() throws Exception {
        Run run = run(Map.of(), "demo");
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("tools/call startPaymentCapture", "tools/call captureCardNumber",
                "tools/call completePaymentCapture", "outcome: completed", "xxxxxxxxxxxx1111", "nothing was charged");
        assertThat(run.out()).doesNotContain("4111111111111111");
    }

    @Test
    void theDemoHelpListsEveryScenario() throws Exception {
        Run help = run(Map.of(), "demo", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out().replaceAll("\\s+", " ")).contains("default, invalid-card, expired-card, timeout, hang-up, "
                + "declined, amex, call-ended");
    }

    @Test
    void whenTheDemosServerCannotStartTheDemoSaysWhyAndEnds() throws Exception {
        Run run = run(Map.of(), "demo", "--server-jvm-option=-XX:+NoSuchJvmOption");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("demo failed: the server process ended.")
                .contains("lines the server process wrote to stderr:")
                .contains("Unrecognized VM option 'NoSuchJvmOption'");
    }

    @Test
    void theDemoFollowsEachScenario() throws Exception {
        for (String scenario : List.of("invalid-card", "declined", "hang-up")) {
            Run run = run(Map.of(), "demo", "--scenario", scenario);
            assertThat(run.exit()).as(scenario + ": " + run.out() + run.err()).isZero();
        }
        assertThat(run(Map.of(), "demo", "--scenario", "nope").exit()).isEqualTo(2);
    }
}
