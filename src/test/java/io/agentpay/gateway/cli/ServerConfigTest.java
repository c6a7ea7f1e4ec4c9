package io.agentpay.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Where the credentials come from (environment first, arguments win), that no message ever holds one, and how
 * often the public URL is checked when TUNNEL_CHECK_INTERVAL is left on auto (ngrok plans count requests).
 */
class ServerConfigTest {
    static final String AC = "ACa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    static final String SK = "SKb2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
    static final String SECRET = "s3cr3tValueNeverShown";

    static ServerConfig config(String ngrokToken, String publicUrl, Duration interval, boolean sandbox) {
        return new ServerConfig("ACa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", "SKb2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2", "secret", "reusable",
                "USD", "Default", ngrokToken, null, publicUrl == null ? null : URI.create(publicUrl), "127.0.0.1", 4000,
                URI.create("https://api.twilio.com"), null, Duration.ofHours(1), interval, sandbox, null, null);
    }

    @Test
    void anNgrokUrlIsCheckedEveryHalfHourAnythingElseEveryFifteenSeconds() {
        assertThat(config("token", null, null, false).tunnelCheckEvery()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config(null, "https://pay-42.ngrok-free.app", null, false).tunnelCheckEvery()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config(null, "https://pay.ngrok.app", null, false).tunnelCheckEvery()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config(null, "https://pay.example.com", null, false).tunnelCheckEvery()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config(null, "https://ngrok.app.example.com", null, false).tunnelCheckEvery()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config(null, null, null, true).tunnelCheckEvery()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void aConfiguredIntervalWins() {
        assertThat(config("token", null, Duration.ZERO, false).tunnelCheckEvery()).isZero();
        assertThat(config(null, "https://pay.example.com", Duration.ofMinutes(2), false).tunnelCheckEvery())
                .isEqualTo(Duration.ofMinutes(2));
    }

    static ServerConfig parse(Map<String, String> env, String... args) {
        ServerCommand command = new ServerCommand(env::get, "1.0.0", () -> new ServerCommand.SandboxCredentials(
                "AC" + "c".repeat(32), "SK" + "d".repeat(32), "sandbox-secret"));
        return ((ServerCommand.Serve) command.parse(args, new PrintWriter(new StringWriter()))).config();
    }

    @Test
    void theCredentialsComeFromTheEnvironment() {
        ServerConfig config = parse(Map.of("TWILIO_ACCOUNT_SID", AC, "TWILIO_API_KEY", SK, "TWILIO_API_SECRET", SECRET + "\n",
                "PUBLIC_URL", "https://pay.example.com"));
        assertThat(config.accountSid()).isEqualTo(AC);
        assertThat(config.apiKey()).isEqualTo(SK);
        assertThat(config.apiSecret()).isEqualTo(SECRET);
    }

    @Test
    void anArgumentWinsOverItsVariable() {
        String otherAccount = "AC" + "e".repeat(32);
        ServerConfig config = parse(Map.of("TWILIO_ACCOUNT_SID", AC, "TWILIO_API_KEY", SK, "TWILIO_API_SECRET", "env-secret",
                "PUBLIC_URL", "https://pay.example.com"), otherAccount, SK, SECRET);
        assertThat(config.accountSid()).isEqualTo(otherAccount);
        assertThat(config.apiSecret()).isEqualTo(SECRET);
    }

    @Test
    void aMissingCredentialIsNamedWithItsVariable() {
        assertThatThrownBy(() -> parse(Map.of("TWILIO_ACCOUNT_SID", AC, "PUBLIC_URL", "https://pay.example.com")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Twilio credentials missing: set TWILIO_API_KEY, TWILIO_API_SECRET in the environment")
                .hasMessageContaining("--sandbox")
                .message().doesNotContain(AC);
    }

    @Test
    void theSandboxIgnoresCredentialsInTheEnvironment() {
        ServerConfig config = parse(Map.of("TWILIO_ACCOUNT_SID", AC, "TWILIO_API_KEY", SK, "TWILIO_API_SECRET", SECRET), "--sandbox");
        assertThat(config.sandbox()).isTrue();
        assertThat(config.apiSecret()).isEqualTo("sandbox-secret");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "secret as account SID|SECRET|SK|AC|TWILIO_ACCOUNT_SID (or argument 1, accountSid) must be 'AC'|not of that form",
            "secret as API key|AC|SECRET|SK|TWILIO_API_KEY (or argument 2, apiKey) must be 'SK'|not of that form",
            "account SID as API key|AC|AC|SECRET|TWILIO_API_KEY (or argument 2, apiKey) must be 'SK'|is an Account SID",
            "key and account swapped|SK|AC|SECRET|TWILIO_ACCOUNT_SID (or argument 1, accountSid) must be 'AC'|is an API key SID",
            "blank secret|AC|SK|BLANK|Twilio credentials missing: set TWILIO_API_SECRET|as arguments"})
    void aCredentialInTheWrongSlotIsNamedButNeverEchoed(String name, String account, String key, String secret,
                                                         String message, String hint) {
        Map<String, String> values = Map.of("AC", AC, "SK", SK, "SECRET", SECRET, "BLANK", " ");
        assertThatThrownBy(() -> parse(Map.of("PUBLIC_URL", "https://pay.example.com"),
                values.get(account), values.get(key), values.get(secret)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(message).hasMessageContaining(hint)
                .message().doesNotContain(SECRET.substring(0, 6), AC.substring(2, 10), SK.substring(2, 10));
    }
}
