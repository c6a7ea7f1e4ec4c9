package io.agentpay.gateway.state;

import java.util.Locale;
import java.util.regex.Pattern;

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
    PAYMENT_CONFIRMATION_CODE("paymentConfirmationCode", "PaymentConfirmationCode", Kind.TEXT),
    RESULT("result", "Result", Kind.WORD),
    PROFILE_ID("profileId", "ProfileId", Kind.TEXT),
    PAYMENT_TOKEN("paymentToken", "PaymentToken", Kind.TEXT),
    PAYMENT_ERROR("paymentError", "PaymentError", Kind.TEXT),
    PAY_ERROR_CODE("payErrorCode", "PayErrorCode", Kind.WORD),
    CONNECTOR_ERROR("connectorError", "ConnectorError", Kind.TEXT);

    private enum Kind { WORD, AMOUNT, TEXT, CARD_NUMBER, SECURITY_CODE, EXPIRY, POSTAL_CODE, ROUTING_NUMBER, BANK_ACCOUNT }

    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern AMOUNT = Pattern.compile("\\d{1,7}(\\.\\d{1,4})?");
    private static final Pattern EXPIRY = Pattern.compile("(0[1-9]|1[0-2])\\d{2}");
    private static final Pattern POSTAL = Pattern.compile("[A-Za-z0-9 -]{1,12}");

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
            case EXPIRY: return EXPIRY.matcher(value).matches() ? value : null;
            case POSTAL_CODE: return POSTAL.matcher(value).matches() && !CardData.containsCardNumber(value.replaceAll("[^0-9]", "")) ? value : null;
            case AMOUNT: return AMOUNT.matcher(value).matches() ? value : null;
            case WORD:
                if (!WORD.matcher(value).matches() || CardData.containsCardNumber(value)) {
                    return null;
                }
                return this == CURRENCY ? value.toUpperCase(Locale.ROOT) : value;
            default: return CardData.scrubText(value);
        }
    }
}
