package io.agentpay.gateway.twilio;

import com.twilio.exception.ApiConnectionException;
import com.twilio.exception.ApiException;
import com.twilio.exception.TwilioException;
import io.agentpay.gateway.state.CardData;

/** Translates what the Twilio SDK throws into a {@link PaymentException} that says what to do next. */
final class TwilioErrors {
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
                    "Check the SIDs: use the call SID of the live call's PSTN leg and the paymentSid returned by "
                            + "startPaymentCapture. The call may also belong to another account.");
        }
        if (c == 21220) {
            return callEnded(ids, "unknown");
        }
        if (c == 64019) {
            return new PaymentException("fields-missing", code, "Twilio cannot complete yet: required fields are missing ("
                    + twilioMessage + ").", "Call getPaymentStatus (or read the status resource); capture each field listed in 'required', then call "
                    + "completePaymentCapture again.");
        }
        if (c == 64021 || c == 64018) {
            return new PaymentException("invalid-for-session", code, "Twilio refused " + operation + " for " + ids + " ("
                    + twilioMessage + ").", "Call getPaymentStatus (or read the status resource): the session may already be completed or cancelled. "
                    + "Start a new session with startPaymentCapture if the caller still wants to pay.");
        }
        if (c == 64001 || c == 64004 || c == 64005 || c == 64006 || c == 64007 || c == 64011 || c == 64013) {
            return new PaymentException("pay-configuration", code, "Twilio Pay is not set up for this request (" + twilioMessage + ").",
                    "Tell the caller you cannot take the payment right now. An administrator must check PCI mode, the Pay "
                            + "Connector name (PAYMENT_CONNECTOR), TOKEN_TYPE and CURRENCY in the Twilio Console.");
        }
        if (c == 64003 || c == 64020 || c == 64015 || c == 64017 || (c >= 21200 && c < 21300)) {
            return new PaymentException("invalid-parameter", code, "Twilio rejected a parameter of " + operation + " ("
                    + twilioMessage + ").", "Fix the argument Twilio names (for example chargeAmount as a plain decimal "
                    + "like 25.00, a supported currency or card type) and call the tool again.");
        }
        if (http == 429) {
            return new PaymentException("rate-limited", code, "Twilio is limiting requests (HTTP 429) and retries did not get through.",
                    "Nothing already captured is lost. Wait a few seconds, then call the same tool again.");
        }
        if (http >= 500) {
            return new PaymentException("twilio-unavailable", code, "Twilio failed " + operation + " (HTTP " + http + ") after retries.",
                    "Nothing already captured is lost. Wait a few seconds, then call the same tool again.");
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
