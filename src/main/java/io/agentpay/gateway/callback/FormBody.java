package io.agentpay.gateway.callback;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Decodes an {@code application/x-www-form-urlencoded} body in one pass over its bytes. A
 * callback arrives for every keypress batch of every call, so this stays allocation-light:
 * no regex, no intermediate lists. A repeated field keeps its last value; a malformed
 * percent-escape is refused.
 */
final class FormBody {
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
                String name = decode(body, start, eq < 0 ? end : eq);
                String value = eq < 0 ? "" : decode(body, eq + 1, end);
                if (!name.isEmpty()) {
                    fields.put(name, value);
                }
            }
            start = end + 1;
        }
        return fields;
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
