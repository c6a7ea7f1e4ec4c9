package io.agentpay.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How often the public URL is checked when TUNNEL_CHECK_INTERVAL is left on auto (ngrok plans count requests). */
class ServerConfigTest {
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
}
