package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.ToolArgs;
import io.agentpay.gateway.mcp.ToolFactory;
import io.agentpay.gateway.mcp.ToolResults;
import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.PaymentStatus;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.util.Map;

/**
 * Asks the caller to key one field on an open payment session. Calling it again for the same
 * field lets the caller re-enter a rejected or mistyped value, as often as needed.
 */
abstract class CaptureTool implements ToolFactory {
    private final ServerContext context;
    private final CaptureField field;
    private final String say;
    private final Tool tool;

    CaptureTool(ServerContext context, CaptureField field, String purpose, String say) {
        this.context = context;
        this.field = field;
        this.say = say;
        this.tool = Tool.builder()
                .name(field.tool())
                .title("Capture the " + field.spoken())
                .description(purpose + " The caller keys it on the phone keypad; Twilio collects it and only a masked "
                        + "value reaches you. Call it again to let the caller re-enter the " + field.spoken()
                        + " after an error. Then wait for payment://{callSid}/{paymentSid}/status to show it captured. "
                        + "The call SID is the one given to startPaymentCapture or the leg it chose."
                        + (field.matcher() == null ? "" : " With requireMatchingInputs, call it with secondEntry true for "
                        + "the caller's second entry once the first is captured."))
                .inputSchema(ToolSchemas.MAPPER, field.matcher() == null ? ToolSchemas.SESSION_SCHEMA : ToolSchemas.SECOND_ENTRY_SCHEMA)
                .build();
    }

    @Override
    public Tool tool() {
        return tool;
    }

    @Override
    public CallToolResult call(McpSyncServerExchange exchange, ToolArgs args) {
        String callSid = args.callSid();
        String paymentSid = args.paymentSid();
        CaptureField asked = field.matcher() != null && args.optionalBoolean("secondEntry", false) ? field.matcher() : field;
        PaymentStatus status = context.payments().capture(callSid, paymentSid, asked);
        context.log().debug("tools", field.tool() + ": asked the caller for the " + asked.spoken() + " on " + paymentSid);
        Map<String, Object> view = ToolSchemas.session(status, context);
        view.put("requested", asked.wire());
        view.put("capture", asked.wire());
        view.put("nextAction", "Tell the caller: \"" + (asked == field ? say : "Please type your " + field.spoken()
                + " once more, to confirm it, then press the pound key.") + "\" Then wait for " + status.statusUri()
                + " to report the " + asked.spoken() + " captured (state field-complete or ready-to-complete), or an "
                + "errorType to re-capture it with " + field.tool() + (asked == field ? "" : " (secondEntry true; after "
                + "input-matching-failed, both entries again)") + ". Do not read out partial progress.");
        return ToolResults.json(view);
    }
}
