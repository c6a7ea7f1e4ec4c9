package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.ToolArgs;
import io.agentpay.gateway.mcp.ToolFactory;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.util.List;
import java.util.Map;

/** A tool that exists only in the test classpath: adding it must be enough to register it. */
public final class EchoForTestTool implements ToolFactory {
    public EchoForTestTool(ServerContext context) {}

    @Override
    public Tool tool() {
        return Tool.builder().name("echoForTest").description("Echoes its text.")
                .inputSchema(Map.of("type", "object", "properties", Map.of("text", Map.of("type", "string"))))
                .outputSchema(Map.of("type", "object", "required", List.of("echo"), "properties", Map.of("echo", Map.of("type", "string"))))
                .build();
    }

    @Override
    public CallToolResult call(McpSyncServerExchange exchange, ToolArgs args) {
        Map<String, Object> echo = Map.of("echo", String.valueOf(args.optionalText("text", 100)));
        return CallToolResult.builder().addTextContent(Json.write(echo)).structuredContent(echo).isError(false).build();
    }
}
