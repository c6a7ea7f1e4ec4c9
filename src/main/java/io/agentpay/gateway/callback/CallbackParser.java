package io.agentpay.gateway.callback;

import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.PaymentField;
import io.agentpay.gateway.state.PaymentUpdate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns one Twilio payment callback (form fields, all strings) into a {@link PaymentUpdate}.
 * Card data is masked here, at the boundary, so nothing downstream can hold more than the last
 * four digits or any digit of a security code, whatever the request contained.
 */
public final class CallbackParser {
    private static final Pattern PAYMENT_SID = Pattern.compile("PK[0-9a-fA-F]{32}");
    private static final Pattern CALL_SID = Pattern.compile("CA[0-9a-fA-F]{32}");
    private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9-]{0,63}");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

    private CallbackParser() {}

    /** Why a callback was refused; the message names the field, never its value. */
    public static final class InvalidCallback extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidCallback(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Parses the fields of one callback.
     *
     * @param field reads a field by its Twilio name; returns {@code null} when absent
     * @param deliveryToken the {@code I-Twilio-Idempotency-Token} header, or {@code null}
     */
    public static PaymentUpdate parse(Function<String, String> field, String deliveryToken) {
        String paymentSid = field.apply("Sid");
        if (paymentSid == null || !PAYMENT_SID.matcher(paymentSid).matches()) {
            throw new InvalidCallback("field Sid must be a payment SID ('PK' + 32 hex characters)");
        }
        String callSid = field.apply("CallSid");
        if (callSid != null && !callSid.isEmpty() && !CALL_SID.matcher(callSid).matches()) {
            throw new InvalidCallback("field CallSid must be a call SID ('CA' + 32 hex characters)");
        }
        Map<PaymentField, String> values = new EnumMap<>(PaymentField.class);
        for (PaymentField f : PaymentField.values()) {
            String value = f.sanitize(field.apply(f.twilio()));
            if (value != null) {
                values.put(f, value);
            }
        }
        String captureName = blankToNull(field.apply("Capture"));
        CaptureField capture = captureName == null ? null : CaptureField.parse(captureName).orElse(null);
        String requiredText = field.apply("Required");
        List<CaptureField> required = null;
        if (requiredText != null) {
            List<CaptureField> listed = new ArrayList<>();
            for (String name : requiredText.split(",", 16)) {
                CaptureField.parse(name).filter(f -> !listed.contains(f)).ifPresent(listed::add);
            }
            required = listed;
        }
        String partial = blankToNull(field.apply("PartialResult"));
        Boolean partialResult = partial == null ? null : Boolean.valueOf("true".equalsIgnoreCase(partial));
        String errorType = blankToNull(field.apply("ErrorType"));
        if (errorType != null && !WORD.matcher(errorType).matches()) {
            errorType = "invalid-input";
        }
        String token = deliveryToken == null || !TOKEN.matcher(deliveryToken).matches() ? null : deliveryToken;
        Instant time = time(field.apply("DateUpdated"));
        if (time == null) {
            time = time(field.apply("DateCreated"));
        }
        return new PaymentUpdate(paymentSid, blankToNull(callSid), time, token, values, capture, required, partialResult,
                errorType, PaymentUpdate.Request.NONE);
    }

    private static Instant time(String text) {
        if (text == null || text.isBlank() || text.length() > 40) {
            return null;
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
