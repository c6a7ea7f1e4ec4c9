package io.agentpay.gateway.state;

import java.util.List;
import java.util.Locale;

/**
 * The value fields of a payment session: their name in the status resource, their name in
 * Twilio's callbacks, and how a raw value is made safe to keep. Every value that enters the
 * server goes through {@link #sanitize(String)}, so nothing downstream can hold card data.
 */
public enum PaymentField {
    PAYMENT_METHOD("paymentMethod", "PaymentMethod", Kind.WORD),
    CHARGE_AMOUNT("chargeAmount", "ChargeAmount", Kind.AMOUNT),
    CURRENCY("currency", "Currency", Kind.WORD),
    TOKEN_TYPE("tokenType", "TokenType", Kind.WORD),
    PAYMENT_CONNECTOR("paymentConnector", "PaymentConnector", Kind.TEXT),
    PAYMENT_CARD_NUMBER("paymentCardNumber", "PaymentCardNumber", Kind.CARD_NUMBER),
    PAYMENT_CARD_TYPE("paymentCardType", "PaymentCardType", Kind.WORD),
    SECURITY_CODE("securityCode", "SecurityCode", Kind.SECURITY_CODE),
    EXPIRATION_DATE("expirationDate", "ExpirationDate", Kind.EXPIRY),
    POSTAL_CODE("paymentCardPostalCode", "PaymentCardPostalCode", Kind.POSTAL_CODE),
    BANK_ACCOUNT_TYPE("bankAccountType", "BankAccountType", Kind.WORD),
    BANK_ROUTING_NUMBER("bankRoutingNumber", "BankRoutingNumber", Kind.ROUTING_NUMBER),
    BANK_ACCOUNT_NUMBER("bankAccountNumber", "BankAccountNumber", Kind.BANK_ACCOUNT),
    PAYMENT_CONFIRMATION_CODE("paymentConfirmationCode", "PaymentConfirmationCode", Kind.IDENTIFIER),
    RESULT("result", "Result", Kind.WORD),
    PROFILE_ID("profileId", "ProfileId", Kind.IDENTIFIER),
    PAYMENT_TOKEN("paymentToken", "PaymentToken", Kind.IDENTIFIER),
    PAYMENT_ERROR("paymentError", "PaymentError", Kind.TEXT),
    PAY_ERROR_CODE("payErrorCode", "PayErrorCode", Kind.WORD),
    CONNECTOR_ERROR("connectorError", "ConnectorError", Kind.TEXT);

    /** Every field, in declaration order; shared, unlike {@code values()}, which copies the array on each call. */
    public static final List<PaymentField> ALL = List.of(values());

    private enum Kind { WORD, AMOUNT, TEXT, IDENTIFIER, CARD_NUMBER, SECURITY_CODE, EXPIRY, POSTAL_CODE, ROUTING_NUMBER, BANK_ACCOUNT }


    private final String json;
    private final String twilio;
    private final Kind kind;

    PaymentField(String json, String twilio, Kind kind) {
        this.json = json;
        this.twilio = twilio;
        this.kind = kind;
    }

    /** Name in the status resource. */
    public String json() { return json; }

    /** Name in Twilio's callbacks. */
    public String twilio() { return twilio; }

    /**
     * Returns what may be kept of a raw value: masked card data, validated short words, scrubbed
     * text; {@code null} for an empty value or one that has no business in this field.
     */
    public String sanitize(String raw) {
        if (raw == null) {
            return null;
        }
        String value = raw.strip();
        if (value.isEmpty()) {
            return null;
        }
        switch (kind) {
            case CARD_NUMBER: return CardData.maskCardNumber(value);
            case SECURITY_CODE: return CardData.maskSecurityCode(value);
            case BANK_ACCOUNT: return CardData.maskBankAccount(value);
            case ROUTING_NUMBER: return CardData.maskRoutingNumber(value);
            case EXPIRY: return isExpiry(value) ? value : null;
            case POSTAL_CODE: return value.length() <= 12 && only(value, " -") && digitCount(value) < 12 ? value : null;
            case AMOUNT: return isAmount(value) ? value : null;
            case IDENTIFIER: return CardData.scrubIdentifier(value);
            case WORD:
                if (value.length() > 64 || !only(value, "_.-") || digitCount(value) >= 12) {
                    return null;
                }
                return this == CURRENCY ? value.toUpperCase(Locale.ROOT) : value;
            default: return CardData.scrubText(value);
        }
    }

    /** {@code MMYY} with a real month. */
    private static boolean isExpiry(String v) {
        return v.length() == 4 && digitCount(v) == 4
                && (v.charAt(0) == '0' ? v.charAt(1) != '0' : v.charAt(0) == '1' && v.charAt(1) <= '2');
    }

    /** Up to 7 digits, optionally a point and 1 to 4 decimals. */
    private static boolean isAmount(String v) {
        int dot = v.indexOf('.');
        String whole = dot < 0 ? v : v.substring(0, dot);
        String fraction = dot < 0 ? "" : v.substring(dot + 1);
        return !whole.isEmpty() && whole.length() <= 7 && digitCount(whole) == whole.length()
                && (dot < 0 || (!fraction.isEmpty() && fraction.length() <= 4 && digitCount(fraction) == fraction.length()));
    }

    /** ASCII letters and digits, plus the given extra characters. */
    private static boolean only(String v, String extra) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || extra.indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    private static int digitCount(String v) {
        int n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c >= '0' && c <= '9') {
                n++;
            }
        }
        return n;
    }
}
