package io.agentpay.gateway.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** ngrok's own error text never carries the authtoken (or card data) into results, the MCP log or stderr. */
class NgrokTunnelTest {
    static final String TOKEN = "2aBcDeFgHiJkLmNoPqRsTuVwXyZ_3cDeFgHiJkLmNoPqRsTuVwXyZ01";

    @Test
    void theConfiguredTokenAndAnythingShapedLikeOneAreDroppedFromNgroksErrors() {
        String safe = NgrokTunnel.safeMessage(new RuntimeException("failed to authenticate: The authtoken you specified '"
                + TOKEN + "' is invalid. Your other token 2zYxWvUtSrQpOnMlKjIhGfEdCbA_9 was revoked. ERR_NGROK_105"), TOKEN);
        assertThat(safe).doesNotContain(TOKEN).doesNotContain(TOKEN.substring(0, 24)).doesNotContain("2zYxWvUtSrQpOnMlKjIhGfEdCbA_9")
                .contains("failed to authenticate").contains("ERR_NGROK_105");
        assertThat(NgrokTunnel.safeMessage(new IOException("tunnel for card 4111 1111 1111 1111 refused"), TOKEN))
                .doesNotContain("4111 1111 1111 1111");
        assertThat(NgrokTunnel.safeMessage(new IOException(), TOKEN)).isEqualTo("IOException");
    }

    @Test
    void withoutTheNativeLibraryOpeningFailsAtOnceSayingSoAndNeverRepeatsTheToken() {
        assertThatThrownBy(() -> NgrokTunnel.openOrRetry(TOKEN, null, 4000))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("ngrok native library").hasMessageContaining("PUBLIC_URL")
                .hasNoCause()
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
    }
}
