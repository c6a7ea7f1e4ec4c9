package io.agentpay.gateway.callback;

import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.PaymentField;
import io.agentpay.gateway.state.PaymentUpdate;
import io.agentpay.gateway.state.Sids;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
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
        if (!Sids.is(paymentSid, Sids.PAYMENT)) {
            throw new InvalidCallback("field Sid must be a payment SID ('PK' + 32 hex characters)");
        }
        String callSid = field.apply("CallSid");
        if (callSid != null && !callSid.isEmpty() && !Sids.is(callSid, Sids.CALL)) {
            throw new InvalidCallback("field CallSid must be a call SID ('CA' + 32 hex characters)");
        }
        Map<PaymentField, String> values = new EnumMap<>(PaymentField.class);
        for (PaymentField f : PaymentField.ALL) {
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
        if (errorType != null && !isWord(errorType)) {
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

    /** Lower-case letters, digits and dashes, starting with a letter: an ErrorType as Twilio writes it. */
    private static boolean isWord(String s) {
        if (s.isEmpty() || s.length() > 64 || s.charAt(0) < 'a' || s.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code DateUpdated}/{@code DateCreated} in either of Twilio's formats: ISO 8601 (observed on
     * callbacks, {@code 2026-11-24T15:04:05.123Z}, any offset) or RFC 2822 (its REST dates,
     * {@code Tue, 24 Nov 2026 15:04:05 +0000}); {@code null} when it is neither.
     */
    static Instant time(String text) {
        if (text == null || text.isBlank() || text.length() > 40) {
            return null;
        }
        Instant quick = quickUtc(text);
        if (quick != null) {
            return quick;
        }
        String t = text.strip();
        try {
            return Character.isDigit(t.charAt(0)) && t.indexOf('T') == 10
                    ? OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant()
                    : ZonedDateTime.parse(t, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** {@code 2026-11-24T15:04:05Z} or {@code …05.123Z}, the form Twilio uses, without a formatter. */
    private static Instant quickUtc(String t) {
        int n = t.length();
        if ((n != 20 && n != 24) || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
                || t.charAt(16) != ':' || t.charAt(n - 1) != 'Z' || (n == 24 && t.charAt(19) != '.')) {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        int millis = n == 24 ? digits(t, 20, 3) : 0;
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59 || millis < 0) {
            return null;
        }
        try {
            long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second, millis * 1_000_000L);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static int digits(String t, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
