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
                        + "The call SID must be the caller's PSTN leg, the one the payment was started on.")
                .inputSchema(ToolSchemas.MAPPER, ToolSchemas.SESSION_SCHEMA)
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
        PaymentStatus status = context.payments().capture(callSid, paymentSid, field);
        context.log().debug("tools", field.tool() + ": asked the caller for the " + field.spoken() + " on " + paymentSid);
        Map<String, Object> view = ToolSchemas.session(status, context);
        view.put("requested", field.wire());
        view.put("capture", field.wire());
        view.put("nextAction", "Tell the caller: \"" + say + "\" Then wait for " + status.statusUri()
                + " to report the " + field.spoken() + " captured (state field-complete or ready-to-complete), or an "
                + "errorType to re-capture it with " + field.tool() + ". Do not read out partial progress.");
        return ToolResults.json(view);
    }
}
