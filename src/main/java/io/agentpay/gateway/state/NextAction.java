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
            case COMPLETED -> "Payment succeeded. Tell the caller it went through, quoting only the card brand, "
                    + "the last four digits and the confirmation code or that the card is saved. Nothing else is needed.";
            case CANCELLED -> "The session is cancelled. If the caller wants to try again, start a new session "
                    + "with startPaymentCapture (" + "callSid=" + s.callSid() + ").";
            case FAILED -> failed(s);
            case STARTED -> "Ask the caller to key their " + first(s).spoken() + " on the phone keypad, then call "
                    + first(s).tool() + " (" + ids + ").";
            case CAPTURING -> s.errorType() != null
                    ? "The " + spoken(s.capture()) + " was rejected: " + ERRORS.getOrDefault(s.errorType(), s.errorType())
                    + ". Explain this to the caller without blame, then call " + tool(s.capture()) + " (" + ids
                    + ") again so they can re-enter it."
                    : "The caller is still keying the " + spoken(s.capture()) + ". " + waitFor(s, "the result")
                    + " Do not call " + tool(s.capture()) + " again (that would restart the entry) and do not read out "
                    + "partial progress.";
            case FIELD_COMPLETE -> "The " + spoken(s.capture()) + " is captured. Next ask for the "
                    + first(s).spoken() + " and call " + first(s).tool() + " (" + ids + ").";
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

    /** The next field to ask for: the card number always before its security code. */
    private static CaptureField first(PaymentStatus s) {
        List<CaptureField> required = s.required();
        if (required == null || required.isEmpty()) {
            return CaptureField.PAYMENT_CARD_NUMBER;
        }
        if (required.contains(CaptureField.PAYMENT_CARD_NUMBER)) {
            return CaptureField.PAYMENT_CARD_NUMBER;
        }
        if (required.contains(CaptureField.BANK_ROUTING_NUMBER)) {
            return CaptureField.BANK_ROUTING_NUMBER;
        }
        return required.get(0);
    }

    private static String spoken(CaptureField field) {
        return field == null ? "current field" : field.spoken();
    }

    private static String tool(CaptureField field) {
        return field == null ? "the same capture tool" : field.tool();
    }
}
