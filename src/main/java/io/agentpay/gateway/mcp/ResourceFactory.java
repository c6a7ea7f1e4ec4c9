package io.agentpay.gateway.mcp;

import io.modelcontextprotocol.spec.McpSchema.ReadResourceResult;
import io.modelcontextprotocol.spec.McpSchema.ResourceTemplate;

/** One MCP resource template, in {@code mcp.resources}, with a public {@code (ServerContext)} constructor. */
public interface ResourceFactory {
    ResourceTemplate template();

    ReadResourceResult read(String uri);
}
