package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.state.CaptureField;

/** Tool {@code captureSecurityCode}: Start capturing the card security code (CVV); only after the card number has been captured. */
public final class CaptureSecurityCodeTool extends CaptureTool {
    public CaptureSecurityCodeTool(ServerContext context) {
        super(context, CaptureField.SECURITY_CODE,
                "Start capturing the card security code (CVV); only after the card number has been captured.",
                "Please key in the security code: three digits on the back of your card, or four on the front for American Express, then press pound.");
    }
}
