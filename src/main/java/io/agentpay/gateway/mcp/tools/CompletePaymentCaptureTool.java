package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.ToolArgs;
import io.agentpay.gateway.mcp.ToolFactory;
import io.agentpay.gateway.mcp.ToolProgress;
import io.agentpay.gateway.mcp.ToolResults;
import io.agentpay.gateway.state.NextAction;
import io.agentpay.gateway.state.PaymentStatus;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.modelcontextprotocol.spec.McpSchema.ToolAnnotations;
import java.util.Map;

/** Submits the captured fields to the payment processor once nothing is missing, and returns the charge, the token or why it failed. */
public final class CompletePaymentCaptureTool implements ToolFactory {
    private final ServerContext context;
    private final Tool tool = Tool.builder()
            .name("completePaymentCapture")
            .title("Complete the payment")
            .description("Submit the captured card or bank details to the payment processor: this charges the card (or "
                    + "saves it as a token), so confirm with the caller first. Call it only when state is ready-to-complete "
                    + "('required' empty). It waits (waitSeconds, default " + ToolSchemas.DEFAULT_WAIT_SECONDS + " s) and "
                    + "returns the outcome: completed with paymentConfirmationCode or paymentToken, or failed with "
                    + "failureReason (e.g. declined). If the processor is still working at the deadline, follow nextAction "
                    + "(a getPaymentStatus call); never call this tool twice for one payment.")
            .inputSchema(ToolSchemas.MAPPER, ToolSchemas.waitingSessionSchema(ToolSchemas.DEFAULT_WAIT_SECONDS,
                    "the processor's outcome"))
            .outputSchema(ToolSchemas.outputSchema(Map.of("requested", Map.of("type", "string", "const", "complete"))))
            .annotations(new ToolAnnotations("Complete the payment", false, true, false, true, null))
            .build();

    public CompletePaymentCaptureTool(ServerContext context) {
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
        int wait = ToolSchemas.waitSeconds(args, ToolSchemas.DEFAULT_WAIT_SECONDS);
        PaymentStatus submitted = context.payments().complete(callSid, paymentSid);
        context.log().debug("tools", "completePaymentCapture: submitted " + paymentSid);
        progress.report("The payment was submitted to the processor.");
        PaymentStatus status = ToolSchemas.awaitAgent(context, submitted, wait, progress);
        Map<String, Object> view = ToolSchemas.view(status, context, wait == 0);
        view.put("requested", "complete");
        if (NextAction.waitingOnCaller(status)) {
            view.put("nextAction", "Tell the caller: \"Thank you, one moment while I process that.\" "
                    + NextAction.waitFor(status, "the outcome") + " Do not call completePaymentCapture again.");
        }
        return ToolResults.structured(view, status.statusUri());
    }
}
