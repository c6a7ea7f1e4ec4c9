package io.agentpay.gateway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.state.CaptureField;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * The checks Twilio and a Pay Connector apply to the create parameters this simulator did not
 * check before: ACH's {@code Parameter} and {@code BankAccountType}, {@code RequireMatchingInputs},
 * {@code Confirmation}, {@code Timeout} and {@code MinPostalCodeLength}.
 */
final class CreateRules {
    /** A refusal: Twilio's error code and message (HTTP 400). */
    record Refusal(int code, String message) {}

    private static final Set<String> BANK_ACCOUNT_TYPES = Set.of("consumer-checking", "consumer-savings", "commercial-checking");
    private static final List<CaptureField> MATCHABLE = List.of(CaptureField.PAYMENT_CARD_NUMBER,
            CaptureField.EXPIRATION_DATE, CaptureField.SECURITY_CODE, CaptureField.POSTAL_CODE);

    private CreateRules() {}

    /** The first rule {@code p} breaks, or {@code null}. */
    static Refusal check(java.util.Map<String, String> p, boolean ach) {
        JsonNode parameter = null;
        if (p.containsKey("Parameter")) {
            try {
                parameter = Json.MAPPER.readTree(p.get("Parameter"));
            } catch (IOException e) {
                parameter = null;
            }
            if (parameter == null || !parameter.isObject() || parameter.properties().stream().anyMatch(e -> e.getValue().isContainerNode())) {
                return new Refusal(64020, "Parameter must be a single-level JSON object");
            }
        }
        if (ach && (parameter == null || parameter.path("AVSName").asText().isBlank())) {
            return new Refusal(64014, "ECP/ACH requires AVSName parameter");
        }
        String type = p.get("BankAccountType");
        if (type != null && !BANK_ACCOUNT_TYPES.contains(type)) {
            return new Refusal(64020, "Invalid BankAccountType");
        }
        String matching = p.get("RequireMatchingInputs");
        if (matching != null) {
            for (String name : matching.split(",", -1)) {
                if (ach || MATCHABLE.stream().noneMatch(f -> f.wire().equals(name.strip()))) {
                    return new Refusal(64020, "Invalid RequireMatchingInputs");
                }
            }
        }
        if (p.containsKey("Confirmation") && !Set.of("true", "false").contains(p.get("Confirmation"))) {
            return new Refusal(64020, "Invalid Confirmation");
        }
        if (!positive(p.get("Timeout"), 600)) {
            return new Refusal(64020, "Timeout must be a whole number of seconds up to 600");
        }
        if (!positive(p.get("MinPostalCodeLength"), 99)) {
            return new Refusal(64020, "Invalid MinPostalCodeLength");
        }
        return null;
    }

    /** Absent, or an integer from 1 to {@code max}. */
    private static boolean positive(String value, int max) {
        if (value == null) {
            return true;
        }
        if (!value.matches("\\d{1,3}")) {
            return false;
        }
        int n = Integer.parseInt(value);
        return n >= 1 && n <= max;
    }
}
