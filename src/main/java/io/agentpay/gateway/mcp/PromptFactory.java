package io.agentpay.gateway.mcp;

import io.modelcontextprotocol.spec.McpSchema.GetPromptResult;
import io.modelcontextprotocol.spec.McpSchema.Prompt;
import java.util.Map;

/** One MCP prompt, in {@code mcp.prompts}, with a public {@code (ServerContext)} constructor. */
public interface PromptFactory {
    Prompt prompt();

    /** Renders the prompt; throws {@link ToolInputException} when an argument is missing or malformed. */
    GetPromptResult get(Map<String, Object> arguments);

    /** The fixed values an argument other than callSid and paymentSid takes, for completion; empty when free. */
    default java.util.List<String> choices(String argument) {
        return java.util.List.of();
    }
}
