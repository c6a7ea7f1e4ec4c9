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

/** Submits the captured fields to the payment processor once nothing is missing. */
public final class CompletePaymentCaptureTool implements ToolFactory {
    private final ServerContext context;
    private final Tool tool = Tool.builder()
            .name("completePaymentCapture")
            .title("Complete the payment")
            .description("Submit the captured card or bank details to the payment processor to charge or tokenize them. "
                    + "Call it only when the status resource shows 'required' empty (state ready-to-complete). The outcome "
                    + "(token or confirmation code, or a decline) arrives on payment://{callSid}/{paymentSid}/status.")
            .inputSchema(ToolSchemas.MAPPER, ToolSchemas.SESSION_SCHEMA)
            .build();

    public CompletePaymentCaptureTool(ServerContext context) {
        this.context = context;
    }

    @Override
    public Tool tool() {
        return tool;
    }

    @Override
    public CallToolResult call(McpSyncServerExchange exchange, ToolArgs args) {
        PaymentStatus status = context.payments().complete(args.callSid(), args.paymentSid());
        context.log().debug("tools", "completePaymentCapture: submitted " + status.paymentSid());
        Map<String, Object> view = ToolSchemas.session(status, context);
        view.put("requested", "complete");
        view.put("nextAction", "Tell the caller: \"Thank you, one moment while I process that.\" Then wait for "
                + status.statusUri() + " to report state completed (confirm with brand and last four digits only) or "
                + "failed (follow its nextAction).");
        return ToolResults.json(view);
    }
}
