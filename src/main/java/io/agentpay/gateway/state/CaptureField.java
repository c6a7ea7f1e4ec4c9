package io.agentpay.gateway.state;

import java.util.Locale;
import java.util.Optional;

/**
 * The fields a caller can key in, with Twilio's wire names and the tool that asks for each. The
 * {@code *_MATCHER} values are the second entry of a field listed in {@code RequireMatchingInputs}:
 * the same tool asks for them, with {@code secondEntry: true}.
 */
public enum CaptureField {
    PAYMENT_CARD_NUMBER("payment-card-number", "card number", "captureCardNumber"),
    SECURITY_CODE("security-code", "security code", "captureSecurityCode"),
    EXPIRATION_DATE("expiration-date", "expiration date", "captureExpirationDate"),
    POSTAL_CODE("postal-code", "postal code", "capturePostalCode"),
    BANK_ROUTING_NUMBER("bank-routing-number", "bank routing number", "captureBankRoutingNumber"),
    BANK_ACCOUNT_NUMBER("bank-account-number", "bank account number", "captureBankAccountNumber"),
    PAYMENT_CARD_NUMBER_MATCHER("payment-card-number-matcher", "card number (second entry)", "captureCardNumber"),
    EXPIRATION_DATE_MATCHER("expiration-date-matcher", "expiration date (second entry)", "captureExpirationDate"),
    SECURITY_CODE_MATCHER("security-code-matcher", "security code (second entry)", "captureSecurityCode"),
    POSTAL_CODE_MATCHER("postal-code-matcher", "postal code (second entry)", "capturePostalCode");

    private static final CaptureField[] ALL = values();

    private final String wire;
    private final String spoken;
    private final String tool;
    private final Optional<CaptureField> found = Optional.of(this);

    CaptureField(String wire, String spoken, String tool) {
        this.wire = wire;
        this.spoken = spoken;
        this.tool = tool;
    }

    /** The value Twilio uses in {@code Capture} and {@code Required}, e.g. {@code payment-card-number}. */
    public String wire() { return wire; }

    /** How to name the field to a caller, e.g. "card number". */
    public String spoken() { return spoken; }

    /** The MCP tool that asks the caller for this field. */
    public String tool() { return tool; }

    /** The second-entry field of this one, or {@code null} when Twilio cannot ask for it twice. */
    public CaptureField matcher() {
        return switch (this) {
            case PAYMENT_CARD_NUMBER -> PAYMENT_CARD_NUMBER_MATCHER;
            case EXPIRATION_DATE -> EXPIRATION_DATE_MATCHER;
            case SECURITY_CODE -> SECURITY_CODE_MATCHER;
            case POSTAL_CODE -> POSTAL_CODE_MATCHER;
            default -> null;
        };
    }

    /** True for a second entry ({@code payment-card-number-matcher}, …). */
    public boolean isMatcher() {
        return ordinal() >= PAYMENT_CARD_NUMBER_MATCHER.ordinal();
    }

    /** The field a second entry confirms; the field itself when it is not a second entry. */
    public CaptureField firstEntry() {
        return switch (this) {
            case PAYMENT_CARD_NUMBER_MATCHER -> PAYMENT_CARD_NUMBER;
            case EXPIRATION_DATE_MATCHER -> EXPIRATION_DATE;
            case SECURITY_CODE_MATCHER -> SECURITY_CODE;
            case POSTAL_CODE_MATCHER -> POSTAL_CODE;
            default -> this;
        };
    }

    /**
     * Reads a field name as Twilio sends it: kebab-case ({@code expiration-date}) or the
     * PascalCase spelling of its reference page ({@code ExpirationDate}).
     */
    public static Optional<CaptureField> parse(String name) {
        if (name == null || name.isBlank() || name.length() > 40) {
            return Optional.empty();
        }
        for (CaptureField field : ALL) {
            if (field.wire.equals(name)) {
                return field.found; // Twilio's usual spelling: nothing to convert, nothing allocated
            }
        }
        String kebab = toKebab(name.trim());
        for (CaptureField field : ALL) {
            if (field.wire.equals(kebab)) {
                return field.found;
            }
        }
        if (kebab.equals("payment-card-postal-code")) {
            return Optional.of(POSTAL_CODE);
        }
        return Optional.empty();
    }

    private static String toKebab(String name) {
        if (name.indexOf('-') >= 0 || name.equals(name.toLowerCase(Locale.ROOT))) {
            return name.toLowerCase(Locale.ROOT).replace('_', '-');
        }
        StringBuilder out = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
                    out.append('-');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
