package io.agentpay.gateway.mcp;

import io.agentpay.gateway.state.CardData;
import io.agentpay.gateway.state.Sids;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;

/**
 * A tool's arguments with checks that explain themselves: which argument, what was wrong,
 * what form is expected. Values are never echoed back in full, so nothing sensitive returns.
 */
public final class ToolArgs {
    public static final String CALL_SID_FORM = "a Twilio Call SID: 'CA' followed by 32 hex characters, "
            + "the SID of the call's PSTN leg";
    public static final String PAYMENT_SID_FORM = "a Twilio Payment SID: 'PK' followed by 32 hex characters, "
            + "as returned by startPaymentCapture";
    static final String NO_CARD_DATA = "Card data does not belong in tool arguments: the caller keys it on the phone keypad "
            + "when asked (captureCardNumber, captureSecurityCode), Twilio collects it, and you only ever see it masked. "
            + "Leave it out and call the tool again.";

    private final Map<String, Object> values;

    private ToolArgs(Map<String, Object> values) {
        this.values = values;
    }

    /** Wraps {@code arguments}, refusing any name the tool does not declare. */
    public static ToolArgs of(Map<String, Object> arguments, Set<String> declared) {
        Map<String, Object> values = arguments == null ? Map.of() : arguments;
        for (String name : values.keySet()) {
            if (!declared.contains(name)) {
                if (CardData.holdsCardData(name)) {
                    throw new ToolInputException("An argument name holds what looks like a card number or security code. "
                            + NO_CARD_DATA);
                }
                throw new ToolInputException("Unknown argument '" + shorten(name) + "'. This tool takes: "
                        + String.join(", ", declared.stream().sorted().toList()) + ".");
            }
        }
        // Before any check of form: card data gets the same answer whatever argument (or list item, or object key)
        // it was typed into. SIDs are checked for their own form instead (their hex can hold long digit runs).
        values.forEach((name, value) -> {
            if (!"callSid".equals(name) && !"paymentSid".equals(name) && holdsCardData(value)) {
                throw new ToolInputException("Argument '" + name + "' holds what looks like a card number or security code. "
                        + NO_CARD_DATA);
            }
        });
        return new ToolArgs(values);
    }

    private static boolean holdsCardData(Object value) {
        if (value instanceof String text) {
            return CardData.holdsCardData(text);
        }
        if (value instanceof java.util.Collection<?> items) {
            return items.stream().anyMatch(ToolArgs::holdsCardData);
        }
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream().anyMatch(e -> holdsCardData(e.getKey()) || holdsCardData(e.getValue()));
        }
        return false;
    }

    public String callSid() {
        return sid("callSid", Sids.CALL, CALL_SID_FORM);
    }

    public String paymentSid() {
        return sid("paymentSid", Sids.PAYMENT, PAYMENT_SID_FORM);
    }

    private String sid(String name, String prefix, String form) {
        Object raw = values.get(name);
        if (raw == null) {
            throw new ToolInputException("Missing argument '" + name + "': expected " + form + ".");
        }
        if (!(raw instanceof String text) || !Sids.is(text, prefix)) {
            throw new ToolInputException("Argument '" + name + "' must be " + form + " (" + describe(raw) + ").");
        }
        return (String) raw;
    }

    /** An optional string, at most {@code maxLength} characters; {@code null} when absent or blank. */
    public String optionalText(String name, int maxLength) {
        Object raw = values.get(name);
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof String text)) {
            throw new ToolInputException("Argument '" + name + "' must be a string (" + describe(raw) + ").");
        }
        if (text.length() > maxLength) {
            throw new ToolInputException("Argument '" + name + "' must be at most " + maxLength + " characters (got "
                    + text.length() + ").");
        }
        if (CardData.holdsCardData(text)) {
            throw new ToolInputException("Argument '" + name + "' holds what looks like a card number or security code. "
                    + NO_CARD_DATA);
        }
        return text.isBlank() ? null : text.strip();
    }

    /** An optional string that must be one of {@code allowed}. */
    public String optionalChoice(String name, Set<String> allowed) {
        String value = optionalText(name, 64);
        if (value != null && !allowed.contains(value)) {
            throw new ToolInputException("Argument '" + name + "' must be one of " + String.join(", ", allowed.stream().sorted().toList())
                    + " (" + describe(value) + ").");
        }
        return value;
    }

    public boolean optionalBoolean(String name, boolean defaultValue) {
        Object raw = values.get(name);
        if (raw == null) {
            return defaultValue;
        }
        if (raw instanceof Boolean b) {
            return b;
        }
        throw new ToolInputException("Argument '" + name + "' must be the JSON value true or false, not in quotes ("
                + describe(raw) + ").");
    }

    /** An optional non-empty list of strings, each one of {@code allowed}, without repeats; {@code null} when absent. */
    public java.util.List<String> optionalChoices(String name, java.util.List<String> allowed) {
        Object raw = values.get(name);
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof java.util.List<?> list) || list.isEmpty()
                || !list.stream().allMatch(item -> item instanceof String text && allowed.contains(text))) {
            throw new ToolInputException("Argument '" + name + "' must be a non-empty list of names from: "
                    + String.join(", ", allowed) + " (" + describe(raw) + ").");
        }
        return list.stream().map(String.class::cast).distinct().toList();
    }

    /** An optional whole number from {@code min} to {@code max}; {@code defaultValue} when absent. */
    public int optionalInteger(String name, int min, int max, int defaultValue) {
        Object raw = values.get(name);
        if (raw == null) {
            return defaultValue;
        }
        // JSON Schema counts 25.0 as an integer too, so the server does.
        if (!(raw instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())
                || number.doubleValue() < min || number.doubleValue() > max) {
            throw new ToolInputException("Argument '" + name + "' must be a whole number from " + min + " to " + max
                    + " (" + (raw instanceof Number ? "got " + raw : describe(raw)) + ").");
        }
        return ((Number) raw).intValue();
    }

    /** An optional amount such as {@code "25.00"}: 0 to 999999.99, at most two decimals, no currency sign. */
    public BigDecimal optionalAmount(String name) {
        Object raw = values.get(name);
        if (raw == null) {
            return null;
        }
        // Exactly what the schema allows: a string, no spaces, no number (a JSON number cannot keep "25.00").
        String text = raw instanceof String s ? s : null;
        if (text == null || !text.matches("\\d{1,6}(\\.\\d{1,2})?")) {
            throw new ToolInputException("Argument '" + name + "' must be a plain decimal amount from 0 to 999999.99 with at "
                    + "most two decimals and no currency sign, such as \"25.00\" (" + describe(raw) + "). Use 0 or omit it to "
                    + "save the card without charging.");
        }
        return new BigDecimal(text);
    }

    /** True when the argument was given (not null). */
    public boolean has(String name) {
        return values.get(name) != null;
    }

    /** An optional flat object of string values (names and values checked by the caller); empty when absent. */
    public Map<String, String> optionalStringMap(String name, int maxEntries) {
        Object raw = values.get(name);
        if (raw == null) {
            return Map.of();
        }
        if (!(raw instanceof Map<?, ?> map) || map.size() > maxEntries) {
            throw new ToolInputException("Argument '" + name + "' must be an object of at most " + maxEntries
                    + " entries whose values are strings (" + describe(raw) + ").");
        }
        Map<String, String> entries = new java.util.LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getValue() instanceof String text)) {
                throw new ToolInputException("Argument '" + name + "' must be a flat object whose values are strings: one "
                        + "value is " + describe(entry.getValue()).replaceFirst("^got ", "") + ".");
            }
            entries.put(String.valueOf(entry.getKey()), text);
        }
        return entries;
    }

    private static String describe(Object raw) {
        if (raw instanceof String text) {
            return text.isEmpty() ? "got an empty string" : "got " + text.length() + " characters"
                    + (text.length() <= 12 && !text.matches(".*\\d{3,}.*") ? ": '" + shorten(text) + "'" : "");
        }
        return "got a " + (raw instanceof Number ? "number" : raw instanceof Boolean ? "boolean"
                : raw instanceof Map ? "object" : raw instanceof java.util.List ? "list" : "value of another type");
    }

    /** What may be echoed of a name or value: scrubbed as callbacks are, printable ASCII, at most 40 characters. */
    private static String shorten(String name) {
        String safe = CardData.scrubText(name).replaceAll("[^\\x20-\\x7e]", "?");
        return safe.length() > 40 ? safe.substring(0, 40) + "…" : safe;
    }
}
