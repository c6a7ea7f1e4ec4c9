package io.agentpay.gateway.mcp;

import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;

/**
 * Sends {@code notifications/progress} for one tool call while it waits, when the request carried
 * a {@code progressToken}; does nothing otherwise. Progress counts up by one per message.
 */
public final class ToolProgress {
    private static final ToolProgress NONE = new ToolProgress(null, null, null);

    private final McpSyncServerExchange exchange;
    private final Object token;
    private final McpLog log;
    private int sent;

    private ToolProgress(McpSyncServerExchange exchange, Object token, McpLog log) {
        this.exchange = exchange;
        this.token = token;
        this.log = log;
    }

    public static ToolProgress of(McpSyncServerExchange exchange, McpSchema.CallToolRequest request, McpLog log) {
        Object token = request.progressToken();
        return exchange == null || token == null ? NONE : new ToolProgress(exchange, token, log);
    }

    public synchronized void report(String message) {
        if (exchange == null) {
            return;
        }
        try {
            exchange.progressNotification(new McpSchema.ProgressNotification(token, ++sent, null, message));
        } catch (RuntimeException e) {
            log.debug("tools", "A progress notification could not be sent: " + e.getClass().getSimpleName());
        }
    }
}
