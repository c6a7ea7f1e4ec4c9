package io.agentpay.gateway.state;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One change to a payment session, already made safe: a Twilio callback, or a request this
 * server made. Built by {@code CallbackParser} and the Twilio facade; merged by {@link PaymentStatus}.
 *
 * @param twilioTime {@code DateUpdated} (or {@code DateCreated}) of a callback; orders callbacks
 * @param deliveryToken {@code I-Twilio-Idempotency-Token}, to drop redeliveries
 * @param required fields still missing, or {@code null} when the update does not say
 * @param partialResult {@code null} when the update does not say
 */
public record PaymentUpdate(
        String paymentSid,
        String callSid,
        Instant twilioTime,
        String deliveryToken,
        Map<PaymentField, String> values,
        CaptureField capture,
        List<CaptureField> required,
        Boolean partialResult,
        String errorType,
        Request request) {

    /** What this server asked of Twilio, when the update records a request rather than a callback. */
    public enum Request { NONE, CREATE, CAPTURE, RESTORE, COMPLETE, CANCEL }

    public PaymentUpdate {
        values = values == null || values.isEmpty()
                ? Collections.emptyMap()
                : Collections.unmodifiableMap(new EnumMap<>(values));
        required = required == null ? null : List.copyOf(required);
        request = request == null ? Request.NONE : request;
    }

    /** The session was created with these known values and these fields to collect. */
    public static PaymentUpdate created(String paymentSid, String callSid, Map<PaymentField, String> values,
                                        List<CaptureField> required) {
        return new PaymentUpdate(paymentSid, callSid, null, null, values, null, required, null, null, Request.CREATE);
    }

    /** The caller has been asked to key {@code field}. */
    public static PaymentUpdate captureRequested(String paymentSid, String callSid, CaptureField field) {
        return new PaymentUpdate(paymentSid, callSid, null, null, null, field, null, null, null, Request.CAPTURE);
    }

    /** A capture request failed: the step in progress goes back to what it was before. */
    public static PaymentUpdate restore(PaymentStatus before) {
        return new PaymentUpdate(before.paymentSid(), before.callSid(), null, null, null, before.capture(), before.required(),
                before.partialResult(), before.errorType(), Request.RESTORE);
    }

    public static PaymentUpdate completeRequested(String paymentSid, String callSid) {
        return new PaymentUpdate(paymentSid, callSid, null, null, null, null, null, null, null, Request.COMPLETE);
    }

    public static PaymentUpdate cancelRequested(String paymentSid, String callSid) {
        return new PaymentUpdate(paymentSid, callSid, null, null, null, null, null, null, null, Request.CANCEL);
    }

    /** True when a callback says something about the step in progress. */
    public boolean hasProgress() {
        return capture != null || required != null || partialResult != null || errorType != null;
    }
}
