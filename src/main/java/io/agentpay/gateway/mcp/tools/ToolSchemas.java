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
              "description": "SID of the live call's PSTN leg (the caller's side), 'CA' + 32 hex characters. For a call bridged to a SIP or client agent, use CallSid when CallDirection is toPSTN and ParentCallSid when it is toSIP."}""";

    static final String PAYMENT_SID = """
            "paymentSid": {"type": "string", "pattern": "^PK[0-9a-fA-F]{32}$",
              "description": "SID of the payment session returned by startPaymentCapture, 'PK' + 32 hex characters."}""";

    static final String SESSION_SCHEMA = "{\"type\": \"object\", \"additionalProperties\": false, "
            + "\"required\": [\"callSid\", \"paymentSid\"], \"properties\": {" + CALL_SID + ", " + PAYMENT_SID + "}}";

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
