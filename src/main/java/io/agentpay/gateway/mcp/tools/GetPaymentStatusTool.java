package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.ToolArgs;
import io.agentpay.gateway.mcp.ToolFactory;
import io.agentpay.gateway.mcp.ToolProgress;
import io.agentpay.gateway.mcp.ToolResults;
import io.agentpay.gateway.state.PaymentStatus;
import io.agentpay.gateway.twilio.PaymentException;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.modelcontextprotocol.spec.McpSchema.ToolAnnotations;

/**
 * The payment's status object, the same as its status resource, for hosts whose models see tools
 * only; with {@code waitSeconds} it returns as soon as the payment needs the agent again.
 */
public final class GetPaymentStatusTool implements ToolFactory {
    private final ServerContext context;
    private final Tool tool = Tool.builder()
            .name("getPaymentStatus")
            .title("Get the payment status")
            .description("Return where a payment session stands: state, the field being captured, the fields still "
                    + "required, errorType, masked card data (last four digits at most), the confirmation code or token, "
                    + "failureReason and nextAction. With waitSeconds (0-" + ToolSchemas.MAX_WAIT_SECONDS + ", default 0) "
                    + "it waits until the payment needs you (a field captured or refused, ready to complete, completed, "
                    + "failed, cancelled, the call ended) or the time is up, whichever comes first. Read-only: it never "
                    + "changes the payment, so it is the safe way to keep waiting while the caller keys.")
            .inputSchema(ToolSchemas.MAPPER, ToolSchemas.waitingSessionSchema(0, "the payment to need you"))
            .outputSchema(ToolSchemas.outputSchema())
            .annotations(new ToolAnnotations("Get the payment status", true, false, true, false, null))
            .build();

    public GetPaymentStatusTool(ServerContext context) {
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
        int wait = ToolSchemas.waitSeconds(args, 0);
        PaymentStatus known = context.store().find(paymentSid)
                .orElseThrow(() -> new PaymentException("unknown-payment", null, "No payment " + paymentSid
                        + " is known to this server.", "Use the paymentSid that startPaymentCapture returned; sessions are "
                        + "forgotten after they have been idle for the configured time to live. To take a payment, call "
                        + "startPaymentCapture (callSid=" + callSid + ")."));
        if (known.callSid() != null && !known.callSid().equals(callSid)) {
            throw new PaymentException("call-mismatch", null, "Payment " + paymentSid + " belongs to call " + known.callSid()
                    + ", not " + callSid + ".", "Use the callSid and paymentSid pair that startPaymentCapture returned.");
        }
        PaymentStatus status = ToolSchemas.awaitAgent(context, known, wait, progress);
        return ToolResults.structured(ToolSchemas.view(status, context, false), status.statusUri());
    }
}
