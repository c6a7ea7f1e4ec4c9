package io.agentpay.gateway.twilio;

import com.twilio.exception.ApiConnectionException;
import com.twilio.exception.ApiException;
import com.twilio.exception.TwilioException;
import io.agentpay.gateway.state.CardData;
import java.util.Map;

/**
 * Translates what the Twilio SDK throws into a {@link PaymentException} that says what to do
 * next. Every Pay error code (640xx) has its own advice, written for a model to follow.
 */
final class TwilioErrors {
    /** The operation name of a payment start: some codes mean something else there. */
    static final String START = "the payment start";

    private static final String TELL_CALLER_LATER = "Tell the caller the payment cannot be taken by phone right now "
            + "and offer another way; do not retry. ";
    private static final String NOT_LOST = "Nothing already captured is lost. Wait a few seconds, then call the same tool again.";
    private static final String NEW_SESSION_OTHER_CARD = "Tell the caller kindly that the payment did not go through and "
            + "offer to try another card: call getPaymentStatus (or read the status resource), then start a new session with "
            + "startPaymentCapture.";

    /** Advice per Pay error code: the kind, what happened, what to do next. */
    private record Advice(String kind, String what, String nextStep) {}

    private static final Map<Integer, Advice> PAY = Map.ofEntries(
            Map.entry(64001, new Advice("pay-configuration", "Twilio Pay is not set up on this account",
                    TELL_CALLER_LATER + "An administrator must turn on PCI Mode and install a Pay Connector in the Twilio Console.")),
            Map.entry(64002, new Advice("twilio-unavailable", "Twilio's Pay service is unavailable (retried)", NOT_LOST)),
            Map.entry(64003, new Advice("invalid-parameter", "the charge amount is not valid",
                    "Call startPaymentCapture again with chargeAmount as a plain decimal above 0 and below 1000000, such as "
                            + "\"25.00\" (no currency sign), or without chargeAmount to save the card instead.")),
            Map.entry(64004, new Advice("pay-configuration", "no Pay Connector of the configured name is installed",
                    TELL_CALLER_LATER + "An administrator must set PAYMENT_CONNECTOR to the unique name of an installed Pay Connector.")),
            Map.entry(64005, new Advice("pay-configuration", "the Pay Connector cannot save (tokenize) cards",
                    "If the caller agreed to be charged now, call startPaymentCapture again with chargeAmount; otherwise "
                            + TELL_CALLER_LATER.toLowerCase(java.util.Locale.ROOT) + "An administrator must choose a connector that tokenizes.")),
            Map.entry(64006, new Advice("pay-configuration", "the Pay Connector does not support the configured token type",
                    TELL_CALLER_LATER + "An administrator must set TOKEN_TYPE to one the connector supports (one-time or reusable).")),
            Map.entry(64007, new Advice("pay-configuration", "the Pay Connector cannot create charges",
                    "If saving the card is enough, call startPaymentCapture again without chargeAmount; otherwise "
                            + TELL_CALLER_LATER.toLowerCase(java.util.Locale.ROOT) + "An administrator must choose a connector that charges.")),
            Map.entry(64008, new Advice("payment-refused", "the payment gateway refused to create the charge", NEW_SESSION_OTHER_CARD)),
            Map.entry(64009, new Advice("pay-configuration", "Twilio's access to the payment gateway has been revoked",
                    TELL_CALLER_LATER + "An administrator must reconnect the Pay Connector to the gateway in the Twilio Console.")),
            Map.entry(64010, new Advice("payment-refused", "the payment gateway refused to save the card", NEW_SESSION_OTHER_CARD)),
            Map.entry(64011, new Advice("invalid-parameter", "the Pay Connector does not support this currency",
                    "Call startPaymentCapture again without currency (the server's default) or with a currency the connector "
                            + "supports, after confirming the amount in that currency with the caller.")),
            Map.entry(64012, new Advice("payment-refused", "the card was declined", NEW_SESSION_OTHER_CARD)),
            Map.entry(64013, new Advice("invalid-parameter", "the Pay Connector does not support this payment method",
                    "Call startPaymentCapture again with the other paymentMethod (credit-card or ach-debit) if the caller can "
                            + "pay that way; otherwise tell the caller this payment method is not accepted.")),
            Map.entry(64014, new Advice("account-holder-name-missing", "an ACH payment needs the account holder's name (AVSName)",
                    "Ask the caller for the account holder's name, as it appears on the bank account, then call "
                            + "startPaymentCapture again with connectorParameters {\"AVSName\": \"<that name>\"}.")),
            Map.entry(64015, new Advice("invalid-parameter", "a parameter the Pay Connector needs is missing",
                    "Read the message for the parameter's name. For an ach-debit payment add it to connectorParameters; then "
                            + "call startPaymentCapture again.")),
            Map.entry(64016, new Advice("pay-configuration", "Twilio reports an invalid action URL, which this server never sends",
                    TELL_CALLER_LATER + "Report this to an administrator with the time of the call.")),
            Map.entry(64017, new Advice("invalid-parameter", "bankAccountType was sent with a card payment",
                    "Call startPaymentCapture again without bankAccountType, or with paymentMethod ach-debit.")),
            Map.entry(64018, new Advice("invalid-for-session", "the request named neither a field to capture nor an outcome",
                    "Call getPaymentStatus (or read the status resource), then call the capture, complete or cancel tool you "
                            + "meant once more.")),
            Map.entry(64019, new Advice("fields-missing", "required fields are still missing",
                    "Call getPaymentStatus (or read the status resource); capture each field listed in 'required', then "
                            + "call completePaymentCapture again.")),
            Map.entry(64020, new Advice("invalid-parameter", "a parameter value is invalid",
                    "Fix the argument Twilio names (for example chargeAmount as a plain decimal like 25.00, a supported "
                            + "currency or card type, secondEntry only for a field in requireMatchingInputs) and call the tool again.")),
            Map.entry(64021, new Advice("invalid-for-session", "the operation is not valid for this payment session",
                    "Call getPaymentStatus (or read the status resource): the session may already be completed or cancelled. "
                            + "Start a new session with "
                            + "startPaymentCapture if the caller still wants to pay.")));

    /** 64021 on a start: the call already has a session, opened elsewhere. Starting again cannot help. */
    private static final Advice SESSION_IN_PROGRESS = new Advice("session-in-progress",
            "a payment session is already open on this call, started outside this server (another agent, tool or an earlier run)",
            "Do not call startPaymentCapture again on this call for now: Twilio allows one session per call, and this server "
                    + "cannot steer one it did not open. It ends when whoever opened it completes or cancels it, or when the "
                    + "call ends; only then can a payment start here. Meanwhile tell the caller the payment will take a moment.");

    private TwilioErrors() {}

    static PaymentException translate(TwilioException e, String operation, String callSid, String paymentSid) {
        if (e instanceof ApiConnectionException) {
            return new PaymentException("twilio-unreachable", null, "Twilio did not answer " + operation + ": "
                    + CardData.scrubText(e.getMessage()) + ".",
                    "Nothing already captured is lost. Wait a few seconds and call the same tool again; if it keeps "
                            + "failing, check this machine's network access to Twilio.");
        }
        Integer code = e instanceof ApiException api ? api.getCode() : null;
        Integer status = e instanceof ApiException api ? api.getStatusCode() : null;
        String twilioMessage = CardData.scrubText(e.getMessage() == null ? "no message" : e.getMessage());
        String ids = "call " + callSid + (paymentSid == null ? "" : ", payment " + paymentSid);
        if (code == null) {
            code = status;
        }
        int c = code == null ? 0 : code;
        int http = status == null ? 0 : status;
        if (c == 20003 || http == 401 || http == 403) {
            return new PaymentException("twilio-authentication", code, "Twilio refused the credentials (" + twilioMessage + ").",
                    "Check that the API key (SK…) and its secret are right, still active, and belong to the account "
                            + "given as accountSid; then restart the server. Payments cannot proceed until then.");
        }
        if (c == 20404 || http == 404) {
            return new PaymentException("not-found", code, "Twilio does not know " + ids + " (" + twilioMessage + ").",
                    "Check the SIDs: use the call SID of the live call (the caller's or the agent's leg) and the paymentSid "
                            + "returned by startPaymentCapture. The call may also belong to another account.");
        }
        if (c == 21220) {
            return callEnded(ids, "unknown");
        }
        Advice advice = c == 64021 && START.equals(operation) ? SESSION_IN_PROGRESS : PAY.get(c);
        if (advice != null) {
            return new PaymentException(advice.kind(), code, "Twilio refused " + operation + " for " + ids + ": " + advice.what()
                    + " (" + twilioMessage + ").", advice.nextStep());
        }
        if (c >= 21200 && c < 21300) {
            return new PaymentException("invalid-parameter", code, "Twilio rejected a parameter of " + operation + " ("
                    + twilioMessage + ").", PAY.get(64020).nextStep());
        }
        if (http == 429) {
            return new PaymentException("rate-limited", code, "Twilio is limiting requests (HTTP 429) and retries did not get through.",
                    NOT_LOST);
        }
        if (http >= 500) {
            return new PaymentException("twilio-unavailable", code, "Twilio failed " + operation + " (HTTP " + http + ") after retries.",
                    NOT_LOST);
        }
        return new PaymentException("twilio-error", code, "Twilio refused " + operation + " for " + ids + " (" + twilioMessage + ").",
                "Call getPaymentStatus (or read the status resource) to see where the session stands before trying again.");
    }

    static PaymentException callEnded(String ids, String status) {
        return new PaymentException("call-not-in-progress", 21220, "The call is not in progress (" + ids + ", status "
                + status + "): the caller has probably hung up.",
                "Nothing more can be captured on this call. If the caller calls back, start again on the new call.");
    }
}
