package io.agentpay.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The log sink under a flood: routine events may be dropped (and counted), payment progress never. */
@Timeout(60)
class McpLogTest {
    @Test
    void aFloodOfWarningsCannotDropPaymentProgress() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (McpLog log = new McpLog()) {
            for (int i = 0; i < 100_000; i++) {
                log.warning("callbacks", "Refused a callback from 203.0.113.7: unknown path.");
                if (i % 1_000 == 0) {
                    log.progress("callbacks", "Payment PK" + i + " is capturing");
                }
            }
            assertThat(log.awaitIdle(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            System.setErr(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertThat(text).as("the flood overflowed the routine queue").contains("log events were dropped under load");
        for (int i = 0; i < 100_000; i += 1_000) {
            assertThat(text).contains("Payment PK" + i + " is capturing\n");
        }
    }
}
