package io.agentpay.gateway.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.util.DefaultMcpUriTemplateManager;
import java.util.List;
import java.util.Map;

/**
 * Requests whose params the MCP SDK would take badly, refused with one {@code -32602} answer before it sees
 * them: an {@code initialize} without the params the spec requires (the SDK answers {@code -32603} with a
 * Java exception's text, and the session never starts), an unknown logging level, a subscription to a URI
 * that no resource template matches.
 */
public final class ParamsCheck {
    private static final TypeRef<McpSchema.InitializeRequest> INITIALIZE = new TypeRef<>() {};

    private final McpJsonMapper mapper;
    private final List<String> uriTemplates;

    public ParamsCheck(McpJsonMapper mapper, List<String> uriTemplates) {
        this.mapper = mapper;
        this.uriTemplates = List.copyOf(uriTemplates);
    }

    /** Why the request is refused, or null when the SDK may handle it. */
    public String problem(String method, Object params) {
        return switch (method) {
            case McpSchema.METHOD_INITIALIZE -> acceptsInitialize(params) ? null
                    : "Invalid params: initialize needs params with protocolVersion (a string), capabilities (an object) "
                            + "and clientInfo (an object with name and version).";
            case McpSchema.METHOD_LOGGING_SET_LEVEL -> params instanceof Map<?, ?> map && map.get("level") instanceof String level
                    && McpSchema.LoggingLevel.fromValue(level) != null ? null
                    : "Invalid params: logging/setLevel needs params.level, one of debug, info, notice, warning, error, "
                            + "critical, alert, emergency.";
            case McpSchema.METHOD_RESOURCES_SUBSCRIBE, McpSchema.METHOD_RESOURCES_UNSUBSCRIBE ->
                    params instanceof Map<?, ?> map && map.get("uri") instanceof String uri
                            && uriTemplates.stream().anyMatch(t -> new DefaultMcpUriTemplateManager(t).matches(uri)) ? null
                            : "Invalid params: " + method + " needs params.uri matching " + String.join(" or ", uriTemplates)
                                    + ", such as the statusResource returned by startPaymentCapture.";
            default -> null;
        };
    }

    /**
     * Whether the params hold what the spec requires and the SDK can read them. The SDK itself fills in an empty
     * protocol version or client name for a missing one and goes on; a host that sends those has a bug to hear about.
     */
    boolean acceptsInitialize(Object params) {
        if (!(params instanceof Map<?, ?> map && map.get("protocolVersion") instanceof String
                && map.get("capabilities") instanceof Map<?, ?> && map.get("clientInfo") instanceof Map<?, ?> info
                && info.get("name") instanceof String && info.get("version") instanceof String)) {
            return false;
        }
        try {
            return mapper.convertValue(params, INITIALIZE) != null;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
