package io.agentpay.gateway.mcp.prompts;

import io.agentpay.gateway.mcp.ServerContext;

/** Prompt {@code SecurityCode}: How to ask for the security code: where to find it, keypad entry, and what to do when it is rejected. */
public final class SecurityCodePrompt extends TemplatePrompt {
    public SecurityCodePrompt(ServerContext context) {
        super(context, "SecurityCode", "Collect the security code",
                "How to ask for the security code: where to find it, keypad entry, and what to do when it is rejected.",
                false, true);
    }
}
