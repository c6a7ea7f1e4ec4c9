package io.agentpay.gateway.state;

import java.util.List;
import java.util.Map;

/** Turns a payment's state into one plain instruction for the model: what to say or call next. */
public final class NextAction {
    /** How long to suggest waiting in a getPaymentStatus call: well under the 60 s request time-out of most hosts. */
    public static final int SUGGESTED_WAIT_SECONDS = 25;

    private static final Map<String, String> ERRORS = Map.ofEntries(
            Map.entry("input-timeout", "the caller did not key anything in time"),
            Map.entry("invalid-card-number", "the card number was not valid (wrong length or a mistyped digit)"),
            Map.entry("invalid-card-type", "that card brand is not accepted for this payment"),
            Map.entry("invalid-date", "the expiration date was not valid or is in the past"),
            Map.entry("invalid-security-code", "the security code did not fit the card"),
            Map.entry("invalid-postal-code", "the postal code had the wrong number of characters"),
            Map.entry("invalid-bank-routing-number", "the routing number was not valid"),
            Map.entry("invalid-bank-account-number", "the account number was too short"),
            Map.entry("invalid-card-number-security-code-capture-sequence",
                    "the security code was requested before a card number was captured"),
            Map.entry("input-matching-failed", "the two entries did not match"),
            Map.entry("internal-error", "Twilio had an internal problem with this step"));

    private NextAction() {}

    public static String describe(PaymentStatus s) {
        String ids = "callSid=" + s.callSid() + ", paymentSid=" + s.paymentSid();
        return switch (s.state()) {
            case COMPLETED -> "ach-debit".equals(s.value(PaymentField.PAYMENT_METHOD))
                    ? "Payment succeeded. Tell the caller it went through, quoting only the last two digits of the bank "
                    + "account and the confirmation code or that the account is saved. Nothing else is needed."
                    : "Payment succeeded. Tell the caller it went through, quoting only the card brand, "
                    + "the last four digits and the confirmation code or that the card is saved. Nothing else is needed.";
            case CANCELLED -> "The session is cancelled. If the caller wants to try again, start a new session "
                    + "with startPaymentCapture (" + "callSid=" + s.callSid() + ").";
            case FAILED -> failed(s);
            case STARTED -> "Ask the caller to " + ask(first(s)) + " on the phone keypad, then call " + call(first(s), ids) + ".";
            case CAPTURING -> s.errorType() == null
                    ? "The caller is still keying the " + spoken(s.capture()) + ". " + waitFor(s, "the result")
                    + " Do not call " + (s.capture() == null ? "the capture tool" : s.capture().tool())
                    + " again (that would restart the entry) and do not read out partial progress."
                    : "input-matching-failed".equals(s.errorType()) && s.capture() != null
                    ? "The two entries of the " + s.capture().firstEntry().spoken() + " did not match. Explain this to the "
                    + "caller without blame; then call " + call(s.capture().firstEntry(), ids) + " so they key it again and, "
                    + "once it is captured, " + call(s.capture().firstEntry().matcher(), ids) + " for the second entry."
                    : "The " + spoken(s.capture()) + " was rejected: " + ERRORS.getOrDefault(s.errorType(), s.errorType())
                    + ". Explain this to the caller without blame, then call " + (s.capture() == null ? "the same capture tool"
                    : call(s.capture(), ids)) + " again so they can re-enter it.";
            case FIELD_COMPLETE -> "The " + spoken(s.capture()) + " is captured. Next ask " + (first(s).isMatcher()
                    ? "the caller to " + ask(first(s)) : "for the " + first(s).spoken()) + " and call " + call(first(s), ids) + ".";
            case READY_TO_COMPLETE -> s.completeRequested()
                    ? "Completion was submitted and the processor is working on it. " + waitFor(s, "the outcome")
                    + " Tell the caller only once it is known; do not call completePaymentCapture again."
                    : "Every required field is captured. Call completePaymentCapture (" + ids + ").";
        };
    }

    /**
     * True while nothing is for the agent to do: the caller is keying a field, or the processor is
     * working on a submitted completion. Anything else (a field captured or refused, ready to
     * complete, an outcome, the call ended) needs the agent.
     */
    public static boolean waitingOnCaller(PaymentStatus s) {
        PaymentState state = s.state();
        return (state == PaymentState.CAPTURING && s.errorType() == null)
                || (state == PaymentState.READY_TO_COMPLETE && s.completeRequested());
    }

    /** Why a failed payment failed, in a few words with Twilio's result code; null unless it failed. */
    public static String failureReason(PaymentStatus s) {
        if (s.state() != PaymentState.FAILED) {
            return null;
        }
        String result = s.value(PaymentField.RESULT);
        String error = s.value(PaymentField.PAYMENT_ERROR);
        return switch (result) {
            case "caller-hung-up" -> "The caller hung up: the call ended during the payment (caller-hung-up).";
            case "caller-interrupted-with-star" -> "The caller pressed * to stop the payment (caller-interrupted-with-star).";
            case "payment-connector-error" -> "The payment processor declined or could not process the card"
                    + (error != null ? ": " + error : "") + " (payment-connector-error).";
            default -> "The payment did not go through (" + result + ")" + (error != null ? ": " + error : "") + ".";
        };
    }

    /** A one-line progress message for a change the agent is waiting on (never card data: masked fields are not read). */
    public static String progress(PaymentStatus s) {
        return switch (s.state()) {
            case CAPTURING -> s.errorType() != null ? "The " + spoken(s.capture()) + " was refused (" + s.errorType() + ")."
                    : "The caller is keying the " + spoken(s.capture()) + ".";
            case FIELD_COMPLETE -> "The " + spoken(s.capture()) + " is captured.";
            case READY_TO_COMPLETE -> s.completeRequested() ? "The processor is working on the payment."
                    : "Every required field is captured.";
            case COMPLETED -> "The payment succeeded.";
            case CANCELLED -> "The payment was cancelled.";
            case FAILED -> "The payment failed. " + failureReason(s);
            case STARTED -> "The payment session is open.";
        };
    }

    /** The exact call that waits for the next change, for hosts without resources, and the resource for those with it. */
    public static String waitFor(PaymentStatus s, String what) {
        return "To wait for " + what + ", call getPaymentStatus (callSid=" + s.callSid() + ", paymentSid=" + s.paymentSid()
                + ", waitSeconds=" + SUGGESTED_WAIT_SECONDS + "), or wait for " + s.statusUri() + " to change.";
    }

    private static String failed(PaymentStatus s) {
        String result = s.value(PaymentField.RESULT);
        String retry = " To try again, start a new session with startPaymentCapture (callSid=" + s.callSid() + ").";
        return switch (result) {
            case "caller-hung-up" -> "The call ended during the payment. Nothing more can be captured on this call.";
            case "caller-interrupted-with-star" -> "The caller pressed * and stopped the payment. Ask whether they want to try again." + retry;
            case "payment-connector-error" -> "The payment processor did not accept the card"
                    + (s.value(PaymentField.PAYMENT_ERROR) != null ? " (" + s.value(PaymentField.PAYMENT_ERROR) + ")" : "")
                    + ". Tell the caller kindly and offer to use another card." + retry;
            default -> "The payment did not go through (" + result + ")." + retry;
        };
    }

    /**
     * The next field to ask for: the card number always before its security code, and a second
     * entry right after the first entry it confirms.
     */
    private static CaptureField first(PaymentStatus s) {
        List<CaptureField> required = s.required();
        if (required == null || required.isEmpty()) {
            return CaptureField.PAYMENT_CARD_NUMBER;
        }
        if (s.capture() != null && s.capture().matcher() != null && required.contains(s.capture().matcher())
                && !required.contains(s.capture())) {
            return s.capture().matcher();
        }
        for (CaptureField field : List.of(CaptureField.PAYMENT_CARD_NUMBER, CaptureField.PAYMENT_CARD_NUMBER_MATCHER,
                CaptureField.BANK_ROUTING_NUMBER)) {
            if (required.contains(field)) {
                return field;
            }
        }
        return required.stream().filter(f -> !required.contains(f.firstEntry()) || f.firstEntry() == f)
                .findFirst().orElse(required.get(0));
    }

    /** What the caller is asked to key: "key their card number", or a second entry to confirm it. */
    private static String ask(CaptureField field) {
        return field.isMatcher() ? "key their " + field.firstEntry().spoken() + " a second time, to confirm it,"
                : "key their " + field.spoken();
    }

    /** The tool call that asks for {@code field}: the first entry's tool, with secondEntry for a second entry. */
    private static String call(CaptureField field, String ids) {
        return field.tool() + " (" + ids + (field.isMatcher() ? ", secondEntry: true" : "") + ")";
    }

    private static String spoken(CaptureField field) {
        return field == null ? "current field" : field.spoken();
    }
}
