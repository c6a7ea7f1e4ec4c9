package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.ToolArgs;
import io.agentpay.gateway.mcp.ToolFactory;
import io.agentpay.gateway.mcp.ToolProgress;
import io.agentpay.gateway.mcp.ToolResults;
import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.NextAction;
import io.agentpay.gateway.state.PaymentStatus;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.util.List;
import java.util.Map;

/**
 * Asks the caller to key one field on an open payment session and returns what came of it: the
 * field captured, refused with Twilio's errorType, or the payment ended. Calling it again for the
 * same field lets the caller re-enter a rejected value, as often as needed.
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
                .description(purpose + " First tell the caller what to key (e.g. \"" + say + "\"). The caller keys it on "
                        + "the phone keypad; Twilio collects it and only a masked value reaches you. The tool then waits "
                        + "(waitSeconds, default " + ToolSchemas.DEFAULT_WAIT_SECONDS + " s) and returns the outcome: "
                        + "captured, refused with errorType (call it again so the caller can re-enter the " + field.spoken()
                        + "), or the payment ended; if the caller is still keying at the deadline, follow nextAction (it "
                        + "names the getPaymentStatus call that keeps waiting; calling this tool again would restart the "
                        + "entry). The call SID is the one given to startPaymentCapture or the leg it chose."
                        + (field.matcher() == null ? "" : " With requireMatchingInputs, call it with secondEntry true for "
                        + "the caller's second entry once the first is captured."))
                .inputSchema(ToolSchemas.MAPPER, ToolSchemas.waitingSessionSchema(ToolSchemas.DEFAULT_WAIT_SECONDS,
                        "the caller to finish keying the " + field.spoken(), field.matcher() != null))
                .outputSchema(ToolSchemas.outputSchema(Map.of("requested", Map.of("type", "string", "enum",
                        field.matcher() == null ? List.of(field.wire()) : List.of(field.wire(), field.matcher().wire())))))
                .annotations(ToolSchemas.steering("Capture the " + field.spoken()))
                .build();
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
        CaptureField entry = field.matcher() != null && args.optionalBoolean("secondEntry", false) ? field.matcher() : field;
        PaymentStatus asked = context.payments().capture(callSid, paymentSid, entry);
        context.log().debug("tools", field.tool() + ": asked the caller for the " + entry.spoken() + " on " + paymentSid);
        progress.report("Twilio is listening for the " + entry.spoken() + ".");
        PaymentStatus status = ToolSchemas.awaitAgent(context, asked, wait, progress);
        Map<String, Object> view = ToolSchemas.view(status, context, wait == 0);
        view.put("requested", entry.wire());
        if (wait == 0 && NextAction.waitingOnCaller(status)) {
            view.put("nextAction", "Twilio is listening for the " + entry.spoken() + ". If you have not yet, tell the caller: \""
                    + (entry == field ? say : "Please type your " + field.spoken() + " once more, to confirm it, then press "
                    + "the pound key.") + "\" " + NextAction.waitFor(status, "the " + entry.spoken()));
        }
        return ToolResults.structured(view, status.statusUri());
    }
}
