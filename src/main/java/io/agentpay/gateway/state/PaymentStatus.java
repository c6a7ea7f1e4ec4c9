package io.agentpay.gateway.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What is known of one payment session, merged from every callback and request in order.
 * Immutable: {@link #apply} returns a new status, or this one when nothing changed.
 *
 * @param version how many changes have been merged into the session; a request that failed
 *     undoes its own change only while this is still the version its change produced
 */
public record PaymentStatus(
        String paymentSid,
        String callSid,
        Map<PaymentField, String> values,
        CaptureField capture,
        List<CaptureField> required,
        boolean partialResult,
        String errorType,
        boolean completeRequested,
        boolean cancelRequested,
        Instant lastTwilioTime,
        Instant createdAt,
        Instant updatedAt,
        List<String> recentDeliveries,
        long version) {

    private static final int DELIVERIES_REMEMBERED = 16;

    public PaymentStatus {
        values = Collections.unmodifiableMap(values.isEmpty() ? new EnumMap<>(PaymentField.class) : new EnumMap<>(values));
        required = required == null ? null : List.copyOf(required);
        recentDeliveries = List.copyOf(recentDeliveries);
    }

    /** A session known only by its SIDs, before anything has been merged into it. */
    public static PaymentStatus empty(String paymentSid, String callSid, Instant now) {
        return new PaymentStatus(paymentSid, callSid, Map.of(), null, null, false, null, false, false,
                null, now, now, List.of(), 0);
    }

    public String value(PaymentField field) {
        return values.get(field);
    }

    public String statusUri() {
        return "payment://" + callSid + "/" + paymentSid + "/status";
    }

    /**
     * Merges one update. Redeliveries are dropped; a callback older than the newest one merged
     * only fills gaps; once the session has an outcome its progress no longer moves.
     */
    public PaymentStatus apply(PaymentUpdate u, Instant now) {
        if (u.deliveryToken() != null && recentDeliveries.contains(u.deliveryToken())) {
            return this;
        }
        boolean closed = state().terminal();
        int order = compareTime(u.twilioTime());
        boolean newer = order >= 0;

        EnumMap<PaymentField, String> merged = new EnumMap<>(PaymentField.class);
        merged.putAll(values);
        Map<PaymentField, String> incoming = u.values();
        for (PaymentField field : PaymentField.ALL) { // not entrySet(): an EnumMap allocates an entry per element
            String value = incoming.get(field);
            if (value == null) {
                continue;
            }
            String current = merged.get(field);
            if (current == null) {
                merged.put(field, value);
            } else if (newer && field != PaymentField.RESULT && !hidesKnownDigits(field, current, value)) {
                merged.put(field, value);
            }
        }

        CaptureField nextCapture = capture;
        List<CaptureField> nextRequired = required;
        boolean nextPartial = partialResult;
        String nextError = errorType;
        boolean regressesFinal = order == 0 && Boolean.TRUE.equals(u.partialResult()) && !partialResult
                && u.capture() == capture;
        if (u.request() == PaymentUpdate.Request.NONE && u.hasProgress() && newer && !closed && !regressesFinal) {
            if (u.capture() != null) {
                nextCapture = u.capture();
                nextError = u.errorType();
            } else if (u.errorType() != null) {
                nextError = u.errorType();
            }
            if (u.required() != null) {
                nextRequired = u.required();
            }
            if (u.partialResult() != null) {
                nextPartial = u.partialResult();
            }
        }
        boolean complete = completeRequested;
        boolean cancel = cancelRequested;
        if (!closed) {
            switch (u.request()) {
                case CREATE -> nextRequired = nextRequired == null ? u.required() : nextRequired;
                case CAPTURE -> {
                    nextCapture = u.capture();
                    nextPartial = true;
                    nextError = null;
                    if (nextRequired != null && !nextRequired.contains(u.capture())) {
                        List<CaptureField> again = new ArrayList<>(nextRequired);
                        again.add(u.capture());
                        nextRequired = again;
                    }
                }
                case RESTORE -> {
                    nextCapture = u.capture();
                    nextRequired = u.required();
                    nextPartial = Boolean.TRUE.equals(u.partialResult());
                    nextError = u.errorType();
                }
                case COMPLETE -> complete = true;
                case CANCEL -> cancel = true;
                default -> { }
            }
        }
        List<String> deliveries = recentDeliveries;
        if (u.deliveryToken() != null) {
            List<String> more = new ArrayList<>(recentDeliveries);
            more.add(u.deliveryToken());
            deliveries = more.size() > DELIVERIES_REMEMBERED ? more.subList(more.size() - DELIVERIES_REMEMBERED, more.size()) : more;
        }
        boolean unchanged = sameProgressAs(merged, nextCapture, nextRequired, nextPartial, nextError, complete, cancel);
        if (unchanged && deliveries == recentDeliveries) {
            return this;
        }
        Instant twilioTime = newer && u.twilioTime() != null ? u.twilioTime() : lastTwilioTime;
        return new PaymentStatus(paymentSid, callSid != null ? callSid : u.callSid(), merged, nextCapture, nextRequired,
                nextPartial, nextError, complete, cancel, twilioTime, createdAt, unchanged ? updatedAt : now, deliveries,
                version + 1);
    }

    /** True when nothing a reader of the status resource can see differs. */
    public boolean sameProgressAs(PaymentStatus other) {
        return sameProgressAs(other.values, other.capture, other.required, other.partialResult, other.errorType,
                other.completeRequested, other.cancelRequested);
    }

    private boolean sameProgressAs(Map<PaymentField, String> otherValues, CaptureField otherCapture,
                                   List<CaptureField> otherRequired, boolean otherPartial, String otherError,
                                   boolean otherComplete, boolean otherCancel) {
        return values.equals(otherValues) && capture == otherCapture && Objects.equals(required, otherRequired)
                && partialResult == otherPartial && Objects.equals(errorType, otherError)
                && completeRequested == otherComplete && cancelRequested == otherCancel;
    }

    private int compareTime(Instant time) {
        if (time == null || lastTwilioTime == null) {
            return 1;
        }
        return time.compareTo(lastTwilioTime);
    }

    /** A progress mask ({@code xxxxxxxx}) never hides the last four digits already known. */
    private static boolean hidesKnownDigits(PaymentField field, String current, String value) {
        return (field == PaymentField.PAYMENT_CARD_NUMBER || field == PaymentField.BANK_ACCOUNT_NUMBER
                || field == PaymentField.BANK_ROUTING_NUMBER) && hasDigit(current) && !hasDigit(value);
    }

    private static boolean hasDigit(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    public PaymentState state() {
        String result = values.get(PaymentField.RESULT);
        if ("success".equals(result)) {
            return PaymentState.COMPLETED;
        }
        if (cancelRequested) {
            return PaymentState.CANCELLED;
        }
        if (result != null) {
            return PaymentState.FAILED;
        }
        if (capture != null && errorType != null) {
            return PaymentState.CAPTURING;
        }
        if (required != null && required.isEmpty()) {
            return PaymentState.READY_TO_COMPLETE;
        }
        if (capture == null) {
            return PaymentState.STARTED;
        }
        return partialResult ? PaymentState.CAPTURING : PaymentState.FIELD_COMPLETE;
    }

    /** The status resource's JSON object, field by field, with the advice for the model. */
    public Map<String, Object> toView() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("paymentSid", paymentSid);
        view.put("callSid", callSid);
        view.put("state", state().wire());
        view.put("capture", capture == null ? null : capture.wire());
        view.put("required", required == null ? null : required.stream().map(CaptureField::wire).toList());
        view.put("partialResult", partialResult);
        view.put("errorType", errorType);
        view.put("nextAction", NextAction.describe(this));
        for (PaymentField field : PaymentField.ALL) {
            view.put(field.json(), values.get(field));
        }
        view.put("updatedAt", updatedAt.toString());
        return view;
    }
}
