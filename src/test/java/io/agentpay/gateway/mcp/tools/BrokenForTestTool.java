package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.ToolArgs;
import io.agentpay.gateway.mcp.ToolFactory;
import io.agentpay.gateway.mcp.ToolProgress;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;

/** A factory whose constructor fails: discovery must report it and carry on. */
public final class BrokenForTestTool implements ToolFactory {
    public BrokenForTestTool(ServerContext context) {
        throw new IllegalStateException("broken on purpose");
    }

    @Override
    public Tool tool() {
        throw new UnsupportedOperationException();
    }

    @Override
    public CallToolResult call(McpSyncServerExchange exchange, ToolArgs args, ToolProgress progress) {
        throw new UnsupportedOperationException();
    }
}
