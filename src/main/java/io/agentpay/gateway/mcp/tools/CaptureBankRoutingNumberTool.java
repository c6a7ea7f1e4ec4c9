package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.state.CaptureField;

/** Tool {@code captureBankRoutingNumber}: Start capturing the bank routing number of an ach-debit session (the first ACH field). */
public final class CaptureBankRoutingNumberTool extends CaptureTool {
    public CaptureBankRoutingNumberTool(ServerContext context) {
        super(context, CaptureField.BANK_ROUTING_NUMBER,
                "Start capturing the bank routing number of an ach-debit session (the first ACH field).",
                "Please key in your bank's nine-digit routing number on your keypad, then press pound.");
    }
}
