package io.agentpay.gateway.sandbox;

import io.agentpay.gateway.state.CardData;
import java.time.YearMonth;

/** The checks Twilio applies to keyed card data: Luhn, brand by prefix and length, expiry, security code length. */
public final class CardRules {
    private CardRules() {}

    /** The brand of {@code number} as Twilio names it, or {@code null} when no brand fits its prefix and length. */
    public static String brand(String number) {
        int len = number.length();
        if (number.startsWith("4") && (len == 13 || len == 16 || len == 19)) {
            return "visa";
        }
        if (len == 15 && (number.startsWith("34") || number.startsWith("37"))) {
            return "amex";
        }
        int two = prefix(number, 2);
        int six = prefix(number, 6);
        if (len == 16 && ((two >= 51 && two <= 55) || (six >= 222100 && six <= 272099))) {
            return "mastercard";
        }
        if (len >= 16 && len <= 19 && (number.startsWith("6011") || number.startsWith("64") || number.startsWith("65"))) {
            return "discover";
        }
        int four = prefix(number, 4);
        if (len >= 16 && len <= 19 && four >= 3528 && four <= 3589) {
            return "jcb";
        }
        int three = prefix(number, 3);
        if (((three >= 300 && three <= 304) || four == 3095 || two == 36 || two == 38 || two == 39)
                && len >= (two == 36 ? 14 : 16) && len <= 19) {
            return "diners-club";
        }
        if (len == 15 && (four == 2014 || four == 2149)) {
            return "enroute";
        }
        if (len >= 12 && len <= 19 && (two == 50 || (two >= 56 && two <= 58) || number.startsWith("6"))) {
            return "maestro";
        }
        return null;
    }

    /** Twilio's {@code ErrorType} for a keyed card number, or {@code null} when it is accepted. */
    public static String checkCardNumber(String number, String validCardTypes) {
        if (number.length() < 12 || number.length() > 19 || !CardData.luhnValid(number, 0, number.length())) {
            return "invalid-card-number";
        }
        String brand = brand(number);
        if (brand == null) {
            return "invalid-card-number";
        }
        return validCardTypes.contains(brand) ? null : "invalid-card-type";
    }

    /** {@code MMYY}: four digits, a real month, not in the past. */
    public static String checkExpiry(String mmyy, YearMonth now) {
        if (!mmyy.matches("\\d{4}")) {
            return "invalid-date";
        }
        int month = Integer.parseInt(mmyy.substring(0, 2));
        if (month < 1 || month > 12) {
            return "invalid-date";
        }
        YearMonth expiry = YearMonth.of(2000 + Integer.parseInt(mmyy.substring(2)), month);
        return expiry.isBefore(now) ? "invalid-date" : null;
    }

    /** Four digits for amex, three for every other brand. */
    public static String checkSecurityCode(String code, String brand) {
        int expected = "amex".equals(brand) ? 4 : 3;
        return code.matches("\\d{" + expected + "}") ? null : "invalid-security-code";
    }

    private static int prefix(String number, int digits) {
        return number.length() < digits ? -1 : Integer.parseInt(number.substring(0, digits));
    }
}
