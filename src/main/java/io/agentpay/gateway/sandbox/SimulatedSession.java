package io.agentpay.gateway.sandbox;

import io.agentpay.gateway.state.CaptureField;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One simulated payment session and its caller: answers each capture request with the callbacks
 * Twilio would send (progress, then the field's result), following the call's {@link Scenario}.
 */
final class SimulatedSession {
    final String paymentSid;
    final String callSid;
    final String accountSid;
    final Scenario scenario;
    final Map<String, String> createParams;
    final List<CaptureField> required = new ArrayList<>();
    final Map<CaptureField, String> keyed = new EnumMap<>(CaptureField.class);
    final Map<CaptureField, Integer> attempts = new EnumMap<>(CaptureField.class);
    final Instant created = Instant.now();
    boolean closed;
    /** How it closed: "cancel", or the outcome's Result; null while open. */
    String ending;

    SimulatedSession(String paymentSid, String callSid, String accountSid, Scenario scenario, Map<String, String> params) {
        this.paymentSid = paymentSid;
        this.callSid = callSid;
        this.accountSid = accountSid;
        this.scenario = scenario;
        this.createParams = params;
        if ("ach-debit".equals(params.get("PaymentMethod"))) {
            required.add(CaptureField.BANK_ROUTING_NUMBER);
            required.add(CaptureField.BANK_ACCOUNT_NUMBER);
        } else {
            required.add(CaptureField.PAYMENT_CARD_NUMBER);
            if (!"false".equals(params.get("SecurityCode"))) {
                required.add(CaptureField.SECURITY_CODE);
            }
            required.add(CaptureField.EXPIRATION_DATE);
            if (!"false".equals(params.get("PostalCode"))) {
                required.add(CaptureField.POSTAL_CODE);
            }
        }
    }

    /** Fields repeated on every callback of the session. */
    Map<String, String> common() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("AccountSid", accountSid);
        f.put("CallSid", callSid);
        f.put("Sid", paymentSid);
        f.put("DateCreated", created.toString());
        f.put("PaymentConnector", createParams.getOrDefault("PaymentConnector", "Default"));
        f.put("PaymentMethod", createParams.getOrDefault("PaymentMethod", "credit-card"));
        String amount = createParams.get("ChargeAmount");
        if (amount != null && Double.parseDouble(amount) > 0) {
            f.put("ChargeAmount", amount);
        } else {
            f.put("TokenType", createParams.getOrDefault("TokenType", "reusable"));
        }
        return f;
    }

    /** What the caller keys for {@code field} on this attempt (1-based), following the scenario. */
    String keys(CaptureField field, int attempt) {
        boolean amex = scenario == Scenario.AMEX;
        return switch (field) {
            case PAYMENT_CARD_NUMBER -> scenario == Scenario.INVALID_CARD && attempt == 1 ? "4111111111111112"
                    : amex ? "378282246310005" : "4111111111111111";
            case SECURITY_CODE -> scenario == Scenario.TIMEOUT && attempt == 1 ? "" : amex ? "1234" : "123";
            case EXPIRATION_DATE -> {
                YearMonth next = YearMonth.now(ZoneOffset.UTC).plusYears(2);
                yield scenario == Scenario.EXPIRED_CARD && attempt == 1 ? "0120"
                        : String.format("%02d%02d", next.getMonthValue(), next.getYear() % 100);
            }
            case POSTAL_CODE -> "94109";
            case BANK_ROUTING_NUMBER -> "121000248";
            case BANK_ACCOUNT_NUMBER -> "000123456789";
        };
    }

    /** Twilio's ErrorType for what was keyed, or null when accepted. */
    String check(CaptureField field, String value) {
        if (value.isEmpty()) {
            return "input-timeout";
        }
        return switch (field) {
            case PAYMENT_CARD_NUMBER -> CardRules.checkCardNumber(value,
                    createParams.getOrDefault("ValidCardTypes", "visa mastercard amex"));
            case SECURITY_CODE -> keyed.containsKey(CaptureField.PAYMENT_CARD_NUMBER)
                    ? CardRules.checkSecurityCode(value, CardRules.brand(keyed.get(CaptureField.PAYMENT_CARD_NUMBER)))
                    : "invalid-card-number-security-code-capture-sequence";
            case EXPIRATION_DATE -> CardRules.checkExpiry(value, YearMonth.now(ZoneOffset.UTC));
            case POSTAL_CODE -> value.length() >= 3 ? null : "invalid-postal-code";
            case BANK_ROUTING_NUMBER -> value.length() == 9 ? null : "invalid-bank-routing-number";
            case BANK_ACCOUNT_NUMBER -> value.length() >= 4 ? null : "invalid-bank-account-number";
        };
    }

    /** The masked card fields Twilio repeats once they are known. */
    void putMasked(Map<String, String> f) {
        String card = keyed.get(CaptureField.PAYMENT_CARD_NUMBER);
        if (card != null) {
            f.put("PaymentCardNumber", "x".repeat(card.length() - 4) + card.substring(card.length() - 4));
            f.put("PaymentCardType", CardRules.brand(card));
        }
        String cvv = keyed.get(CaptureField.SECURITY_CODE);
        if (cvv != null) {
            f.put("SecurityCode", "x".repeat(cvv.length()));
        }
        String expiry = keyed.get(CaptureField.EXPIRATION_DATE);
        if (expiry != null) {
            f.put("ExpirationDate", expiry);
        }
        String postal = keyed.get(CaptureField.POSTAL_CODE);
        if (postal != null) {
            f.put("PaymentCardPostalCode", postal);
        }
        String routing = keyed.get(CaptureField.BANK_ROUTING_NUMBER);
        if (routing != null) {
            f.put("BankRoutingNumber", routing);
        }
        String account = keyed.get(CaptureField.BANK_ACCOUNT_NUMBER);
        if (account != null) {
            f.put("BankAccountNumber", "*".repeat(account.length() - 2) + account.substring(account.length() - 2));
        }
    }

    String requiredText() {
        return String.join(",", required.stream().map(CaptureField::wire).toList());
    }

    /** The outcome callback of {@code Status=complete}. */
    Map<String, String> outcome() {
        Map<String, String> f = common();
        f.put("DateUpdated", Instant.now().toString());
        putMasked(f);
        if (scenario == Scenario.DECLINED) {
            f.put("Result", "payment-connector-error");
            f.put("PaymentError", "card is declined");
            f.put("PayErrorCode", "64012");
            f.put("ConnectorError", "card_declined");
            return f;
        }
        f.put("Result", "success");
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        if (f.containsKey("ChargeAmount")) {
            f.put("PaymentConfirmationCode", "ch_sandbox_" + id);
            f.put("PaymentToken", "");
        } else {
            f.put("PaymentToken", "tok_sandbox_" + id);
            f.put("ProfileId", "cus_sandbox_" + id.substring(0, 12));
            f.put("PaymentConfirmationCode", "");
        }
        return f;
    }

    static Duration step(Duration keyDelay, int n) {
        return keyDelay.multipliedBy(n);
    }
}
