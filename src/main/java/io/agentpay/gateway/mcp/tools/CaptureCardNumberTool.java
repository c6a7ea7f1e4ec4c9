package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.state.CaptureField;

/** Tool {@code captureCardNumber}: Start capturing the card number (PAN) on an open payment session; always the first card field. */
public final class CaptureCardNumberTool extends CaptureTool {
    public CaptureCardNumberTool(ServerContext context) {
        super(context, CaptureField.PAYMENT_CARD_NUMBER,
                "Start capturing the card number (PAN) on an open payment session; always the first card field.",
                "Please key in your card number on your phone keypad now, then press the pound key.");
    }
}
