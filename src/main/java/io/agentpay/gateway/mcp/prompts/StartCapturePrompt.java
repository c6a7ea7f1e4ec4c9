package io.agentpay.gateway.mcp.prompts;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.sandbox.Scenario;

/** Prompt {@code StartCapture}: How to open a card payment on a live call: consent, keypad-only entry, startPaymentCapture, following progress. */
public final class StartCapturePrompt extends TemplatePrompt {
    public StartCapturePrompt(ServerContext context) {
        super(context, "StartCapture", "Start a card payment on a call",
                "How to open a card payment on a live call: consent, keypad-only entry, startPaymentCapture, following progress.",
                true, false);
    }

    @Override
    String sandboxNote() {
        StringBuilder note = new StringBuilder("Sandbox: this server talks to a simulated Twilio; no real call or payment "
                + "takes place, and every result says so. Any well-formed call SID is a live simulated call; its last four "
                + "hex digits choose how the simulated caller behaves:");
        for (Scenario scenario : Scenario.values()) {
            note.append("\n- ...").append(scenario.suffix()).append(" (").append(scenario.label()).append("): the caller ")
                    .append(scenario.description()).append('.');
        }
        return note.toString();
    }
}
