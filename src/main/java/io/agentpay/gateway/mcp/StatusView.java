package io.agentpay.gateway.mcp;

import io.agentpay.gateway.state.PaymentStatus;
import java.util.Map;

/** The payment status object as the model sees it, the same in the status resource and in every tool result. */
public final class StatusView {
    private static final String SANDBOX_NOTE = "Sandbox: simulated call and payment; nothing was charged or saved.";

    private StatusView() {}

    /** The status's fields and nextAction, plus the sandbox note and a warning while callbacks cannot arrive. */
    public static Map<String, Object> of(PaymentStatus status, ServerContext context) {
        Map<String, Object> view = status.toView();
        if (context.sandbox()) {
            view.put("sandbox", SANDBOX_NOTE);
        }
        context.warnIfCallbacksCannotArrive(status, view);
        return view;
    }
}
