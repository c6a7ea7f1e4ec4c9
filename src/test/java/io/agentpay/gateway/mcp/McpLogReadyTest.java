package io.agentpay.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpay.gateway.log.Log;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpLoggableSession;
import io.modelcontextprotocol.spec.McpSchema.LoggingLevel;
import io.modelcontextprotocol.spec.McpSchema.LoggingMessageNotification;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;

/**
 * Over stdio the services start while the client is still initializing: what they log before the
 * client is ready (a taken callback port, a session store that cannot be reached) must still reach
 * the client, in order, once it is, and nothing reaches it before. Other events published before
 * then stay on stderr, as they always did.
 */
@Timeout(60)
class McpLogReadyTest {
    /** The receiving end of a session: records each log notification the way the SDK would send it. */
    static final class ClientSide implements McpLoggableSession {
        final List<LoggingMessageNotification> received = new CopyOnWriteArrayList<>();

        @Override
        public void setMinLoggingLevel(LoggingLevel level) {}

        @Override
        public boolean isNotificationForLevelAllowed(LoggingLevel level) {
            return level.level() >= LoggingLevel.INFO.level();
        }

        @Override
        public <T> Mono<T> sendRequest(String method, Object params, TypeRef<T> type) {
            return Mono.empty();
        }

        @Override
        public Mono<Void> sendNotification(String method, Object params) {
            return Mono.fromRunnable(() -> received.add((LoggingMessageNotification) params));
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.empty();
        }

        @Override
        public void close() {}
    }

    @Test
    void eventsPublishedBeforeTheClientIsReadyReachItOnceItIsInOrder() throws Exception {
        ClientSide client = new ClientSide();
        try (McpLog log = new McpLog()) {
            log.attach(client);
            Log services = log.keptUntilReady();
            services.warning("server", "CALLBACK_PORT 4999 is taken");
            log.warning("state", "Payment sessions are unavailable");
            services.debug("server", "below the client's level");
            services.info("server", "Ready.");
            assertThat(log.awaitIdle(10, TimeUnit.SECONDS)).isTrue();
            assertThat(client.received).as("nothing before the client is ready").isEmpty();

            log.clientReady();
            log.info("tunnel", "Checked end to end.");
            await().atMost(Duration.ofSeconds(10)).until(() -> client.received.size() == 3);
            assertThat(client.received).extracting(LoggingMessageNotification::data)
                    .containsExactly("CALLBACK_PORT 4999 is taken", "Ready.", "Checked end to end.");
            log.clientReady();
            assertThat(log.awaitIdle(10, TimeUnit.SECONDS)).isTrue();
            assertThat(client.received).as("a second clientReady sends nothing twice").hasSize(3);
        }
    }
}
