package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.ToolArgs;
import io.agentpay.gateway.mcp.ToolFactory;
import io.agentpay.gateway.mcp.ToolProgress;
import io.agentpay.gateway.mcp.ToolResults;
import io.agentpay.gateway.state.PaymentState;
import io.agentpay.gateway.state.PaymentStatus;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.modelcontextprotocol.spec.McpSchema.ToolAnnotations;
import java.util.Map;
import java.util.Optional;

/** Ends a payment session without charging or saving anything; a session that already ended is reported as it ended. */
public final class CancelPaymentCaptureTool implements ToolFactory {
    private final ServerContext context;
    private final Tool tool = Tool.builder()
            .name("cancelPaymentCapture")
            .title("Cancel the payment")
            .description("Cancel an open payment session: nothing is charged or saved and captured digits are discarded "
                    + "by Twilio. Use it when the caller changes their mind, after repeated failed attempts, or before "
                    + "starting over. Safe to repeat: on a session that already ended it changes nothing and returns its "
                    + "final state (completed, failed or cancelled). A new attempt needs a new startPaymentCapture.")
            .inputSchema(ToolSchemas.MAPPER, ToolSchemas.SESSION_SCHEMA)
            .outputSchema(ToolSchemas.outputSchema(Map.of("requested", Map.of("type", "string", "const", "cancel"))))
            .annotations(new ToolAnnotations("Cancel the payment", false, true, true, true, null))
            .build();

    public CancelPaymentCaptureTool(ServerContext context) {
        this.context = context;
    }

    @Override
    public Tool tool() {
        return tool;
    }

    @Override
    public CallToolResult call(McpSyncServerExchange exchange, ToolArgs args, ToolProgress progress) {
        String callSid = args.callSid();
        String paymentSid = args.paymentSid();
        Optional<PaymentStatus> ended = context.store().find(paymentSid)
                .filter(s -> callSid.equals(s.callSid()) && s.state().terminal());
        PaymentStatus status = ended.orElseGet(() -> context.payments().cancel(callSid, paymentSid));
        context.log().debug("tools", "cancelPaymentCapture: " + (ended.isPresent() ? "already " + status.state().wire() + ": "
                : "cancelled ") + paymentSid);
        Map<String, Object> view = ToolSchemas.view(status, context, false);
        view.put("requested", "cancel");
        if (status.state() == PaymentState.CANCELLED) {
            view.put("nextAction", "Tell the caller the payment was cancelled and nothing was charged. To try again, call "
                    + "startPaymentCapture (callSid=" + status.callSid() + ").");
        }
        return ToolResults.structured(view, status.statusUri());
    }
}
