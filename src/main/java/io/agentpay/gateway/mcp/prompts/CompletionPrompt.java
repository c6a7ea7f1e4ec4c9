package io.agentpay.gateway.mcp.prompts;

import io.agentpay.gateway.mcp.ServerContext;

/** Prompt {@code Completion}: How to confirm the outcome to the caller: brand, last four digits and confirmation only, then the next steps. */
public final class CompletionPrompt extends TemplatePrompt {
    public CompletionPrompt(ServerContext context) {
        super(context, "Completion", "Confirm the outcome",
                "How to confirm the outcome to the caller: brand, last four digits and confirmation only, then the next steps.",
                false, true);
    }
}
