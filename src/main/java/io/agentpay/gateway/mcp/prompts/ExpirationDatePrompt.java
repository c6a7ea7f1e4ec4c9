package io.agentpay.gateway.mcp.prompts;

import io.agentpay.gateway.mcp.ServerContext;

/** Prompt {@code ExpirationDate}: How to ask for the expiration date as four digits (MMYY) and handle mistakes. */
public final class ExpirationDatePrompt extends TemplatePrompt {
    public ExpirationDatePrompt(ServerContext context) {
        super(context, "ExpirationDate", "Collect the expiration date",
                "How to ask for the expiration date as four digits (MMYY) and handle mistakes.",
                false, true);
    }
}
