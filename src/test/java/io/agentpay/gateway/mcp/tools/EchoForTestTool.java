package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.ToolArgs;
import io.agentpay.gateway.mcp.ToolFactory;
import io.agentpay.gateway.mcp.ToolResults;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.util.Map;

/** A tool that exists only in the test classpath: adding it must be enough to register it. */
public final class EchoForTestTool implements ToolFactory {
    public EchoForTestTool(ServerContext context) {}

    @Override
    public Tool tool() {
        return Tool.builder().name("echoForTest").description("Echoes its text.")
                .inputSchema(Map.of("type", "object", "properties", Map.of("text", Map.of("type", "string")))).build();
    }

    @Override
    public CallToolResult call(McpSyncServerExchange exchange, ToolArgs args) {
        return ToolResults.json(Map.of("echo", String.valueOf(args.optionalText("text", 100))));
    }
}
