package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.state.CaptureField;

/** Tool {@code capturePostalCode}: Start capturing the billing postal code; needed when the session was started with postalCode true. */
public final class CapturePostalCodeTool extends CaptureTool {
    public CapturePostalCodeTool(ServerContext context) {
        super(context, CaptureField.POSTAL_CODE,
                "Start capturing the billing postal code; needed when the session was started with postalCode true.",
                "Please key in the billing postal code of the card on your keypad, then press pound.");
    }
}
