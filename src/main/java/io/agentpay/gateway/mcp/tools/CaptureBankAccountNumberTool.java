package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.state.CaptureField;

/** Tool {@code captureBankAccountNumber}: Start capturing the bank account number of an ach-debit session, after the routing number. */
public final class CaptureBankAccountNumberTool extends CaptureTool {
    public CaptureBankAccountNumberTool(ServerContext context) {
        super(context, CaptureField.BANK_ACCOUNT_NUMBER,
                "Start capturing the bank account number of an ach-debit session, after the routing number.",
                "Please key in your bank account number on your keypad, then press pound.");
    }
}
