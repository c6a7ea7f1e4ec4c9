package io.agentpay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.agentpay.gateway.json.Json;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks every tool result the tests see against what its tool promises: a success carries
 * structured content valid against the tool's outputSchema (JSON Schema 2020-12), the same JSON
 * as its first text block and, from a payment tool, a resource_link to the payment's status resource; an error carries
 * error, message and nextStep and no structured content.
 */
public final class ToolResultCheck {
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final Map<Object, Map<String, McpSchema.Tool>> LISTED = new ConcurrentHashMap<>();

    private ToolResultCheck() {}

    /** Checks {@code result} of {@code tool} and returns it. */
    public static McpSchema.CallToolResult check(McpSchema.Tool tool, McpSchema.CallToolResult result) {
        JsonNode text = parse(((McpSchema.TextContent) result.content().get(0)).text());
        if (Boolean.TRUE.equals(result.isError())) {
            assertThat(result.structuredContent()).as(tool.name() + " error").isNull();
            assertThat(text.has("error") && text.has("message") && text.has("nextStep")).as(tool.name() + " error " + text).isTrue();
            return result;
        }
        assertThat(tool.outputSchema()).as(tool.name() + " outputSchema").isNotNull();
        JsonNode structured = Json.MAPPER.valueToTree(result.structuredContent());
        Schema schema = SCHEMAS.getSchema(Json.MAPPER.valueToTree(tool.outputSchema()));
        List<com.networknt.schema.Error> errors = schema.validate(structured);
        assertThat(errors).as(tool.name() + " result against its outputSchema: " + structured).isEmpty();
        assertThat(text).as(tool.name() + " text block").isEqualTo(structured);
        if (!structured.has("statusResource")) {
            return result;
        }
        assertThat(result.content()).as(tool.name() + " resource_link").anySatisfy(content -> {
            assertThat(content).isInstanceOf(McpSchema.ResourceLink.class);
            assertThat(((McpSchema.ResourceLink) content).uri()).isEqualTo(structured.path("statusResource").asText());
        });
        return result;
    }

    /** Calls a tool through a real MCP client and checks the result against the tool as the client listed it. */
    public static McpSchema.CallToolResult call(McpSyncClient client, McpSchema.CallToolRequest request) {
        Map<String, McpSchema.Tool> tools = LISTED.computeIfAbsent(client, c -> {
            Map<String, McpSchema.Tool> byName = new ConcurrentHashMap<>();
            client.listTools().tools().forEach(t -> byName.put(t.name(), t));
            return byName;
        });
        McpSchema.CallToolResult result = client.callTool(request);
        McpSchema.Tool tool = tools.get(request.name());
        return tool == null ? result : check(tool, result);
    }

    private static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(text, e);
        }
    }
}
