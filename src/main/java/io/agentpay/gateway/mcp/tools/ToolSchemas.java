package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.mcp.Json;
import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.state.PaymentStatus;
import io.modelcontextprotocol.json.McpJsonMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** Schema fragments and result shapes the payment tools share. */
final class ToolSchemas {
    static final McpJsonMapper MAPPER = Json.MCP;

    static final String CALL_SID = """
            "callSid": {"type": "string", "pattern": "^CA[0-9a-fA-F]{32}$",
              "description": "SID of the live call, 'CA' + 32 hex characters: the caller's (PSTN) leg, or an agent's SIP or client leg bridged to it (the payment then runs on the caller's leg)."}""";

    static final String PAYMENT_SID = """
            "paymentSid": {"type": "string", "pattern": "^PK[0-9a-fA-F]{32}$",
              "description": "SID of the payment session returned by startPaymentCapture, 'PK' + 32 hex characters."}""";

    static final String SESSION_SCHEMA = "{\"type\": \"object\", \"additionalProperties\": false, "
            + "\"required\": [\"callSid\", \"paymentSid\"], \"properties\": {" + CALL_SID + ", " + PAYMENT_SID + "}}";

    /** A capture tool whose field can be keyed twice: the session, plus {@code secondEntry}. */
    static final String SECOND_ENTRY_SCHEMA = "{\"type\": \"object\", \"additionalProperties\": false, "
            + "\"required\": [\"callSid\", \"paymentSid\"], \"properties\": {" + CALL_SID + ", " + PAYMENT_SID + ", "
            + "\"secondEntry\": {\"type\": \"boolean\", \"description\": \"true asks for the second entry of a field listed in "
            + "startPaymentCapture's requireMatchingInputs (Twilio's <field>-matcher), once the first entry is captured. Default false.\"}}}";

    static final String SANDBOX_NOTE = "Sandbox: simulated call and payment; nothing was charged or saved.";

    private ToolSchemas() {}

    /** The common part of every tool result: the session, where to follow it, and what to do next. */
    static Map<String, Object> session(PaymentStatus status, ServerContext context) {
        Map<String, Object> view = new LinkedHashMap<>();
        if (context.sandbox()) {
            view.put("sandbox", SANDBOX_NOTE);
        }
        context.warnIfCallbacksCannotArrive(status, view);
        view.put("callSid", status.callSid());
        view.put("paymentSid", status.paymentSid());
        view.put("statusResource", status.statusUri());
        view.put("state", status.state().wire());
        view.put("required", status.required() == null ? null
                : status.required().stream().map(f -> f.wire()).toList());
        return view;
    }
}
