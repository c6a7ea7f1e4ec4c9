package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.ToolArgs;
import io.agentpay.gateway.mcp.ToolFactory;
import io.agentpay.gateway.mcp.ToolInputException;
import io.agentpay.gateway.mcp.ToolResults;
import io.agentpay.gateway.state.NextAction;
import io.agentpay.gateway.state.PaymentStatus;
import io.agentpay.gateway.twilio.StartRequest;
import io.agentpay.gateway.twilio.TwilioAgentPaymentServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.util.Map;
import java.util.Set;

/** Opens a payment session on a live call: the first step of every payment. */
public final class StartPaymentCaptureTool implements ToolFactory {
    private static final Set<String> CARD_TYPES = Set.of("visa", "mastercard", "amex", "maestro", "discover", "optima",
            "jcb", "diners-club", "enroute");
    private static final Set<String> METHODS = Set.of("credit-card", "ach-debit");

    private final ServerContext context;
    private final Tool tool;

    public StartPaymentCaptureTool(ServerContext context) {
        this.context = context;
        this.tool = Tool.builder()
                .name("startPaymentCapture")
                .title("Start a payment on a live call")
                .description("Open a secure payment session on a live call, after the caller has agreed to pay. The "
                        + "caller will key card digits on their phone keypad; Twilio collects and tokenizes them and you "
                        + "only see masked values. The payment must be attached to the caller's PSTN leg or DTMF digits "
                        + "are never heard: for a call bridged to a SIP/client agent, use CallSid when CallDirection is "
                        + "toPSTN and ParentCallSid when it is toSIP. Returns paymentSid and statusResource "
                        + "(payment://{callSid}/{paymentSid}/status): subscribe to it or read it to follow progress, then "
                        + "call captureCardNumber.")
                .inputSchema(ToolSchemas.MAPPER, """
                        {"type": "object", "additionalProperties": false, "required": ["callSid"], "properties": {
                        %s,
                        "chargeAmount": {"type": "string", "pattern": "^\\\\d{1,6}(\\\\.\\\\d{1,2})?$",
                          "description": "Amount to charge as a plain decimal such as \\"25.00\\". Omit or \\"0\\" to tokenize (save) the card without charging."},
                        "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code such as USD; defaults to the server's CURRENCY."},
                        "paymentMethod": {"type": "string", "enum": ["credit-card", "ach-debit"], "description": "credit-card (default) or ach-debit (bank account)."},
                        "description": {"type": "string", "maxLength": 200, "description": "Shown on the transaction, e.g. 'Order 1042'. Never put card data here."},
                        "postalCode": {"type": "boolean", "description": "Also collect the billing postal code. Default false."},
                        "securityCode": {"type": "boolean", "description": "Collect the security code (CVV). Default true."},
                        "validCardTypes": {"type": "string", "description": "Space-separated brands to accept, e.g. 'visa mastercard amex' (the default)."}
                        }}""".formatted(ToolSchemas.CALL_SID))
                .build();
    }

    @Override
    public Tool tool() {
        return tool;
    }

    @Override
    public CallToolResult call(McpSyncServerExchange exchange, ToolArgs args) {
        String callSid = args.callSid();
        String currency = args.optionalText("currency", 3);
        if (currency != null && !currency.matches("[A-Z]{3}")) {
            throw new ToolInputException("Argument 'currency' must be a three-letter ISO 4217 code in capitals, such as USD or EUR.");
        }
        String cardTypes = args.optionalText("validCardTypes", 120);
        if (cardTypes != null) {
            for (String type : cardTypes.trim().split("\\s+")) {
                if (!CARD_TYPES.contains(type)) {
                    throw new ToolInputException("Argument 'validCardTypes' must list brands separated by spaces, from: "
                            + String.join(" ", CARD_TYPES.stream().sorted().toList()) + ".");
                }
            }
        }
        StartRequest request = new StartRequest(callSid, args.optionalAmount("chargeAmount"), currency,
                args.optionalChoice("paymentMethod", METHODS), args.optionalText("description", 200),
                args.optionalBoolean("postalCode", false), args.optionalBoolean("securityCode", true), cardTypes);
        TwilioAgentPaymentServer payments = context.payments();
        context.requireCallbacksReachable();
        PaymentStatus status = payments.start(request);
        context.log().debug("tools", "startPaymentCapture: session " + status.paymentSid() + " opened on call " + callSid
                + (request.charges() ? " to charge " + request.chargeAmount().toPlainString() : " to tokenize"));
        Map<String, Object> view = ToolSchemas.session(status, context);
        view.put("mode", request.charges() ? "charge" : "tokenize");
        view.put("nextAction", NextAction.describe(status) + " Follow progress on " + status.statusUri() + ".");
        return ToolResults.json(view);
    }
}
