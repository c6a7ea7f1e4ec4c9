package io.agentpay.gateway.mcp.prompts;

import io.agentpay.gateway.mcp.ServerContext;

/** Prompt {@code CardNumber}: How to ask for the card number on the keypad, what to say while waiting, and how to handle questions or a rejected number. */
public final class CardNumberPrompt extends TemplatePrompt {
    public CardNumberPrompt(ServerContext context) {
        super(context, "CardNumber", "Collect the card number",
                "How to ask for the card number on the keypad, what to say while waiting, and how to handle questions or a rejected number.",
                false, true);
    }
}
