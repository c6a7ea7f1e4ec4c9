package io.agentpay.gateway.mcp;

import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;

/**
 * One MCP tool: its schema and its handler. Implementations live in {@code mcp.tools}, have a
 * public {@code (ServerContext)} constructor, and are found by {@link ComponentScan}.
 */
public interface ToolFactory {
    Tool tool();

    /**
     * Handles a call whose arguments are already in {@code args}; may throw {@link ToolInputException} or a
     * domain exception. A tool that waits reports through {@code progress}; the others ignore it.
     */
    CallToolResult call(McpSyncServerExchange exchange, ToolArgs args, ToolProgress progress);
}
