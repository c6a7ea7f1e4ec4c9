package io.agentpay.gateway.mcp;

import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.state.StoreUnavailableException;
import io.agentpay.gateway.twilio.PaymentException;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import io.modelcontextprotocol.spec.McpSchema.ResourceLink;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/** Turns tool outcomes into results, once for every tool: JSON text on success, {@code isError} with a next step on failure. */
public final class ToolResults {
    private ToolResults() {}

    /**
     * A successful result: {@code view} as structured content, the same JSON as text (for hosts that
     * read only text), and a link to the payment's status resource.
     */
    public static CallToolResult structured(Map<String, Object> view, String statusUri) {
        ResourceLink link = ResourceLink.builder().name("PaymentStatus").title("Payment session status").uri(statusUri)
                .mimeType("application/json").build();
        return CallToolResult.builder().content(List.of(new TextContent(Json.write(view)), link)).structuredContent(view)
                .isError(false).build();
    }

    /**
     * Writes one tool answer shaped like a payment's, and drops it: the serializers of the result's
     * content types (some 60 classes) are then built before the first tool call needs them.
     */
    public static void prepare() {
        try {
            Json.MCP.writeValueAsString(new JSONRPCResponse(McpSchema.JSONRPC_VERSION, 0,
                    structured(new LinkedHashMap<>(Map.of("state", "created")), "payment://CA/PK/status"), null));
        } catch (IOException | RuntimeException e) {
            // the first answer does this work itself
        }
    }

    public static CallToolResult error(Map<String, Object> view) {
        return CallToolResult.builder().content(List.of(new TextContent(Json.write(view)))).isError(true).build();
    }

    /**
     * Wraps a tool's handler: bad arguments and payment failures become {@code isError} results
     * logged once; anything unexpected is logged and reported without a stack trace.
     */
    public static BiFunction<McpSyncServerExchange, CallToolRequest, CallToolResult> guarded(ToolFactory factory, McpLog log) {
        String name = factory.tool().name();
        Set<String> declared = declaredArguments(factory);
        return (exchange, request) -> {
            try {
                return factory.call(exchange, ToolArgs.of(request.arguments(), declared), ToolProgress.of(exchange, request, log));
            } catch (java.util.concurrent.CancellationException e) {
                // The client cancelled the request: this result is never sent.
                log.debug("tools", name + ": " + e.getMessage());
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("error", "cancelled");
                view.put("message", e.getMessage());
                view.put("nextStep", "Nothing: the request was cancelled.");
                return error(view);
            } catch (ToolInputException e) {
                log.warning("tools", name + ": " + e.getMessage());
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("error", "invalid-argument");
                view.put("message", e.getMessage());
                view.put("nextStep", "Correct the argument and call " + name + " again. Nothing was sent to Twilio.");
                return error(view);
            } catch (PaymentException e) {
                log.warning("tools", name + " failed: " + e.getMessage());
                return error(e.toView());
            } catch (StoreUnavailableException e) {
                log.error("tools", name + " failed: " + e.getMessage());
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("error", "store-unavailable");
                view.put("message", "The shared payment session store is unavailable: " + e.getMessage());
                view.put("nextStep", "Tell the caller there is a short technical delay, wait a few seconds and call " + name
                        + " again; the server reconnects by itself. If it keeps failing, tell whoever runs the server.");
                return error(view);
            } catch (RuntimeException e) {
                log.error("tools", name + " failed unexpectedly: " + e.getClass().getName());
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("error", "internal-error");
                view.put("message", "The server could not run " + name + " (" + e.getClass().getSimpleName() + ").");
                view.put("nextStep", "Call getPaymentStatus (or read the status resource) to see where the payment stands, then try once more.");
                return error(view);
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static Set<String> declaredArguments(ToolFactory factory) {
        Object properties = factory.tool().inputSchema().get("properties");
        return properties instanceof Map<?, ?> map ? Set.copyOf((java.util.Set<String>) map.keySet()) : Set.of();
    }
}
