package io.agentpay.gateway.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;

/** The one Jackson mapper of the process, shared by the MCP SDK, tools and resources. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    /** The same mapper as the MCP SDK sees it. */
    public static final McpJsonMapper MCP = new JacksonMcpJsonMapper(MAPPER);

    private Json() {}

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Could not write JSON: " + e.getOriginalMessage(), e);
        }
    }
}
