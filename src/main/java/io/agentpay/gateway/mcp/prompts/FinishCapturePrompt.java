package io.agentpay.gateway.mcp.prompts;

import io.agentpay.gateway.mcp.ServerContext;

/** Prompt {@code FinishCapture}: How to check that nothing is missing and submit the payment with completePaymentCapture. */
public final class FinishCapturePrompt extends TemplatePrompt {
    public FinishCapturePrompt(ServerContext context) {
        super(context, "FinishCapture", "Finish the payment",
                "How to check that nothing is missing and submit the payment with completePaymentCapture.",
                false, true);
    }
}
