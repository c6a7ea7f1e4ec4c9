package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.ToolArgs;
import io.agentpay.gateway.mcp.ToolFactory;
import io.agentpay.gateway.mcp.ToolResults;
import io.agentpay.gateway.state.PaymentStatus;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.util.Map;

/** Ends a payment session without charging or saving anything. */
public final class CancelPaymentCaptureTool implements ToolFactory {
    private final ServerContext context;
    private final Tool tool = Tool.builder()
            .name("cancelPaymentCapture")
            .title("Cancel the payment")
            .description("Cancel an open payment session: nothing is charged or saved and captured digits are discarded "
                    + "by Twilio. Use it when the caller changes their mind, after repeated failed attempts, or before "
                    + "starting over. A new attempt needs a new startPaymentCapture.")
            .inputSchema(ToolSchemas.MAPPER, ToolSchemas.SESSION_SCHEMA)
            .build();

    public CancelPaymentCaptureTool(ServerContext context) {
        this.context = context;
    }

    @Override
    public Tool tool() {
        return tool;
    }

    @Override
    public CallToolResult call(McpSyncServerExchange exchange, ToolArgs args) {
        PaymentStatus status = context.payments().cancel(args.callSid(), args.paymentSid());
        context.log().debug("tools", "cancelPaymentCapture: cancelled " + status.paymentSid());
        Map<String, Object> view = ToolSchemas.session(status, context);
        view.put("requested", "cancel");
        view.put("nextAction", "Tell the caller the payment was cancelled and nothing was charged. To try again, call "
                + "startPaymentCapture (callSid=" + status.callSid() + ").");
        return ToolResults.json(view);
    }
}
