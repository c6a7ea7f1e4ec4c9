package io.agentpay.gateway.callback;

import io.agentpay.gateway.state.PaymentField;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes an {@code application/x-www-form-urlencoded} body in one pass over its bytes. A
 * callback arrives for every keypress batch of every call, so this stays allocation-light:
 * no regex, no intermediate lists. A repeated field keeps its last value; a malformed
 * percent-escape is refused.
 */
final class FormBody {
    /** Field names Twilio sends, handed out as shared constants instead of a new String per field per request. */
    private static final String[] NAMES = new String[128];

    static {
        List<String> names = new ArrayList<>(List.of("Sid", "AccountSid", "CallSid", "Capture", "Required", "PartialResult",
                "ErrorType", "DateCreated", "DateUpdated", "ApiVersion", "Status"));
        PaymentField.ALL.forEach(field -> names.add(field.twilio()));
        for (String name : names) {
            int slot = name.hashCode() & (NAMES.length - 1);
            while (NAMES[slot] != null && !NAMES[slot].equals(name)) {
                slot = (slot + 1) & (NAMES.length - 1);
            }
            NAMES[slot] = name;
        }
    }

    private FormBody() {}

    static Map<String, String> parse(byte[] body) {
        Map<String, String> fields = new HashMap<>(32);
        int start = 0;
        int length = body.length;
        while (start < length) {
            int end = start;
            int eq = -1;
            while (end < length && body[end] != '&') {
                if (eq < 0 && body[end] == '=') {
                    eq = end;
                }
                end++;
            }
            if (end > start) {
                String name = name(body, start, eq < 0 ? end : eq);
                String value = eq < 0 ? "" : decode(body, eq + 1, end);
                if (!name.isEmpty()) {
                    fields.put(name, value);
                }
            }
            start = end + 1;
        }
        return fields;
    }

    /** A known field name as its shared constant (same hash as {@link String#hashCode} for ASCII); anything else decoded. */
    private static String name(byte[] body, int from, int to) {
        int hash = 0;
        for (int i = from; i < to; i++) {
            hash = 31 * hash + body[i];
        }
        for (int slot = hash & (NAMES.length - 1); NAMES[slot] != null; slot = (slot + 1) & (NAMES.length - 1)) {
            String known = NAMES[slot];
            if (known.length() == to - from && sameAscii(known, body, from)) {
                return known;
            }
        }
        return decode(body, from, to);
    }

    private static boolean sameAscii(String known, byte[] body, int from) {
        for (int i = 0; i < known.length(); i++) {
            if (known.charAt(i) != body[from + i]) {
                return false;
            }
        }
        return true;
    }

    private static String decode(byte[] body, int from, int to) {
        boolean plain = true;
        for (int i = from; i < to && plain; i++) {
            byte b = body[i];
            plain = b != '%' && b != '+' && b >= 0;
        }
        if (plain) {
            return new String(body, from, to - from, StandardCharsets.ISO_8859_1);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            byte b = body[i];
            if (b == '+') {
                out.write(' ');
            } else if (b == '%') {
                if (i + 2 >= to) {
                    throw new CallbackParser.InvalidCallback("the form body has a truncated %-escape");
                }
                int hi = Character.digit(body[i + 1], 16);
                int lo = Character.digit(body[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    throw new CallbackParser.InvalidCallback("the form body has an invalid %-escape");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(b);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
