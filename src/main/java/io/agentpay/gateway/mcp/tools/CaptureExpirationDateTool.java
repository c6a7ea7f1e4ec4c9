package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.state.CaptureField;

/** Tool {@code captureExpirationDate}: Start capturing the card expiration date as four digits, month then year (MMYY). */
public final class CaptureExpirationDateTool extends CaptureTool {
    public CaptureExpirationDateTool(ServerContext context) {
        super(context, CaptureField.EXPIRATION_DATE,
                "Start capturing the card expiration date as four digits, month then year (MMYY).",
                "Please key in the expiration date as four digits, two for the month and two for the year, then press pound.");
    }
}
