package io.agentpay.gateway.twilio;

import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.CardData;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code startPaymentCapture} asks for. {@code chargeAmount} null or zero tokenizes the
 * card; positive charges it. Null fields take the server's configured defaults or Twilio's.
 *
 * @param connectorParameters sent as Twilio's {@code Parameter} (a flat JSON object); ACH needs {@code AVSName}
 * @param bankAccountType ACH only: consumer-checking, consumer-savings or commercial-checking
 * @param requireMatchingInputs card fields the caller keys twice (the second entry is the field's matcher)
 * @param confirmation Twilio reads the last four digits back and the caller presses 1 or 2
 * @param timeout seconds Twilio waits for the next digit (1 to 600)
 */
public record StartRequest(
        String callSid,
        BigDecimal chargeAmount,
        String currency,
        String paymentMethod,
        String description,
        boolean postalCode,
        boolean securityCode,
        String validCardTypes,
        Map<String, String> connectorParameters,
        String bankAccountType,
        List<CaptureField> requireMatchingInputs,
        Boolean confirmation,
        Integer timeout,
        Integer minPostalCodeLength) {
    public static final Set<String> BANK_ACCOUNT_TYPES = Set.of("consumer-checking", "consumer-savings", "commercial-checking");
    public static final String HOLDER_NAME = "AVSName";
    private static final int MAX_PARAMETERS = 20;
    private static final int MAX_PARAMETER_LENGTH = 256;

    public StartRequest {
        connectorParameters = connectorParameters == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(connectorParameters));
        requireMatchingInputs = requireMatchingInputs == null ? List.of() : List.copyOf(requireMatchingInputs);
    }

    /** A card or bank payment with only the options every version of the tool had. */
    public StartRequest(String callSid, BigDecimal chargeAmount, String currency, String paymentMethod, String description,
                        boolean postalCode, boolean securityCode, String validCardTypes) {
        this(callSid, chargeAmount, currency, paymentMethod, description, postalCode, securityCode, validCardTypes,
                null, null, null, null, null, null);
    }

    public boolean charges() {
        return chargeAmount != null && chargeAmount.signum() > 0;
    }

    public boolean ach() {
        return "ach-debit".equals(paymentMethod);
    }

    /**
     * Refuses, before anything reaches Twilio, a request Twilio or the Pay Connector would refuse,
     * and connector parameters that hold card data, each with what to do instead.
     */
    void requireValid() {
        checkConnectorParameters();
        if (ach()) {
            String holder = connectorParameters.get(HOLDER_NAME);
            if (holder == null || holder.isBlank()) {
                throw refused("account-holder-name-missing", "An ach-debit payment needs the account holder's name: Pay "
                        + "Connectors refuse ACH without connectorParameters." + HOLDER_NAME + " (Twilio error 64014).",
                        "Ask the caller for the account holder's name, as it appears on the bank account, then call "
                                + "startPaymentCapture again with connectorParameters {\"" + HOLDER_NAME + "\": \"<that name>\"}.");
            }
            if (!requireMatchingInputs.isEmpty()) {
                throw refused("invalid-argument", "requireMatchingInputs applies to card fields only, not to an ach-debit payment.",
                        "Call startPaymentCapture again without requireMatchingInputs.");
            }
        } else if (bankAccountType != null) {
            throw refused("invalid-argument", "bankAccountType applies to ach-debit payments only (Twilio refuses it with "
                    + "a card, error 64017).", "Call startPaymentCapture again without bankAccountType, or with paymentMethod "
                    + "ach-debit if the caller pays from a bank account.");
        }
        if (bankAccountType != null && !BANK_ACCOUNT_TYPES.contains(bankAccountType)) {
            throw refused("invalid-argument", "bankAccountType must be one of " + String.join(", ", BANK_ACCOUNT_TYPES.stream()
                    .sorted().toList()) + ".", "Call startPaymentCapture again with one of those values, or without it.");
        }
        for (CaptureField field : requireMatchingInputs) {
            if (field.matcher() == null) {
                throw refused("invalid-argument", "requireMatchingInputs may list payment-card-number, expiration-date, "
                        + "security-code and postal-code only.", "Call startPaymentCapture again with only those fields.");
            }
            if ((field == CaptureField.SECURITY_CODE && !securityCode) || (field == CaptureField.POSTAL_CODE && !postalCode)) {
                throw refused("invalid-argument", "requireMatchingInputs lists " + field.wire() + ", which this payment does "
                        + "not collect.", "Call startPaymentCapture again with " + (field == CaptureField.SECURITY_CODE
                        ? "securityCode" : "postalCode") + " true, or without " + field.wire() + " in requireMatchingInputs.");
            }
        }
        if (timeout != null && (timeout < 1 || timeout > 600)) {
            throw refused("invalid-argument", "timeout must be a whole number of seconds from 1 to 600.",
                    "Call startPaymentCapture again with a timeout in that range, or without it (Twilio's default is 5).");
        }
        if (minPostalCodeLength != null && (minPostalCodeLength < 1 || minPostalCodeLength > 10 || !postalCode || ach())) {
            throw refused("invalid-argument", "minPostalCodeLength must be from 1 to 10 and needs postalCode true on a card payment.",
                    "Call startPaymentCapture again with postalCode true and minPostalCodeLength from 1 to 10, or without it.");
        }
    }

    private void checkConnectorParameters() {
        if (connectorParameters.size() > MAX_PARAMETERS) {
            throw refused("invalid-argument", "connectorParameters may hold at most " + MAX_PARAMETERS + " entries.",
                    "Send only the parameters your Pay Connector needs, such as " + HOLDER_NAME + ".");
        }
        for (Map.Entry<String, String> entry : connectorParameters.entrySet()) {
            String name = entry.getKey();
            if (name.length() > 64 || !name.matches("[A-Za-z][A-Za-z0-9_.-]*") || !CardData.scrubText(name).equals(name)) {
                throw refused("invalid-argument", "connectorParameters names must start with a letter and hold at most 64 "
                        + "letters, digits, '_', '.' or '-' (one name does not; it is not repeated here).",
                        "Use the parameter names your Pay Connector documents, such as " + HOLDER_NAME + ".");
            }
            String value = entry.getValue();
            if (value == null || value.length() > MAX_PARAMETER_LENGTH || value.chars().anyMatch(Character::isISOControl)) {
                throw refused("invalid-argument", "connectorParameters." + name + " must be a single line of text of at most "
                        + MAX_PARAMETER_LENGTH + " characters.", "Call startPaymentCapture again with a shorter value.");
            }
            if (!CardData.scrubText(value).equals(value)) {
                throw refused("card-data-in-arguments", "connectorParameters." + name + " looks like it holds a card number or "
                        + "a security code. Card data must never be typed into tool arguments; nothing was sent to Twilio.",
                        "Call startPaymentCapture again without card data in connectorParameters. The caller keys card and "
                                + "bank details on the phone keypad only, after the session has started.");
            }
        }
    }

    private static PaymentException refused(String kind, String message, String nextStep) {
        return new PaymentException(kind, null, message, nextStep);
    }
}
