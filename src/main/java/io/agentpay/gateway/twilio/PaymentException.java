package io.agentpay.gateway.twilio;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A payment operation that did not happen, with what the model should do about it. The message
 * is safe to show: it never holds a secret or card data.
 */
public final class PaymentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String kind;
    private final Integer twilioCode;
    private final String nextStep;

    public PaymentException(String kind, Integer twilioCode, String message, String nextStep) {
        super(message, null, false, false);
        this.kind = kind;
        this.twilioCode = twilioCode;
        this.nextStep = nextStep;
    }

    /** A short machine-readable name: twilio-error, call-not-in-progress, session-open, … */
    public String kind() { return kind; }

    public Integer twilioCode() { return twilioCode; }

    public String nextStep() { return nextStep; }

    /** The JSON object a tool returns with {@code isError: true}. */
    public Map<String, Object> toView() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("error", kind);
        if (twilioCode != null) {
            view.put("twilioCode", twilioCode);
        }
        view.put("message", getMessage());
        view.put("nextStep", nextStep);
        return view;
    }
}
