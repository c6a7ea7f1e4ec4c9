package io.agentpay.gateway.state;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reduces card and bank data to what may be kept: the last four digits of a card number, the
 * last two of a bank account, nothing of a security code. Applied to everything that enters
 * the server from Twilio, from a tool argument or from anyone posing as Twilio.
 */
public final class CardData {
    private static final int MAX_TEXT = 256;
    /** Scrubbed beyond the limit by more than the longest written card number (19 digits, 18 separators). */
    private static final int WINDOW_SLACK = 64;
    private static final Pattern NAMED_SECURITY_CODE = Pattern.compile(
            "(?i)\\b(security[ _-]?code|card[ _-]?verification(?:[ _-]?(?:value|code))?|cvv2?|cvc2?|cvn|csc|cid)"
                    + "(\\W{0,4}(?:is\\W{1,3})?)(\\d{3,4})(?!\\d)");

    private CardData() {}

    /** {@code 4111 1111 1111 1111} or {@code xxxxxxxxxxxx1111} become {@code xxxxxxxxxxxx1111}. */
    public static String maskCardNumber(String value) {
        return keepLastDigits(value, 4, 19);
    }

    /** Bank account numbers keep their last two digits, as Twilio masks them. */
    public static String maskBankAccount(String value) {
        return keepLastDigits(value, 2, 17);
    }

    /** Routing numbers keep their last four digits. */
    public static String maskRoutingNumber(String value) {
        return keepLastDigits(value, 4, 9);
    }

    /** A security code keeps only its length (3 or 4), never a digit. */
    public static String maskSecurityCode(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        int length = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != ' ' && c != '-') {
                length++;
            }
        }
        return length >= 4 ? "xxxx" : "xxx";
    }

    private static String keepLastDigits(String value, int keep, int maxLength) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        int symbols = 0;
        int digits = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
                symbols++;
            } else if (c == 'x' || c == 'X' || c == '*' || c == '#') {
                symbols++;
            }
        }
        int length = Math.min(symbols, maxLength);
        if (length == 0) {
            return null;
        }
        // Digits alone, no more than we may keep, are a fragment of the secret: show none of them.
        int shown = (digits == symbols && digits <= keep) ? 0 : Math.min(digits, keep);
        shown = Math.min(shown, length);
        char[] last = new char[shown];
        for (int i = value.length() - 1, n = shown; i >= 0 && n > 0; i--) {
            char c = value.charAt(i);
            if (c >= '0' && c <= '9') {
                last[--n] = c;
            }
        }
        return "x".repeat(length - shown) + new String(last);
    }

    /**
     * Free text (error messages, tokens, descriptions) loses any run of 13 to 19 digits that
     * passes the Luhn check (spaces and dashes allowed between digits) and the digits of a
     * security code named as such ("CVV 123", "security code: 1234"), and is capped in length.
     * The text is scrubbed before it is cut, and a digit run the cut goes through is dropped, so
     * no part of a number survives by straddling the limit.
     */
    public static String scrubText(String value) {
        return scrub(value, true);
    }

    /**
     * An identifier a Pay Connector chose (payment token, profile ID, confirmation code) keeps its
     * digits unless a run of them is a plausible card number: a known brand's prefix, a length that
     * brand issues and a valid Luhn check. Random numeric tokens pass the Luhn check on some 12-19
     * digit stretch far too often for the free-text rule, which would mangle most of them.
     */
    public static String scrubIdentifier(String value) {
        return scrub(value, false);
    }

    private static String scrub(String value, boolean strict) {
        if (value == null) {
            return null;
        }
        String window = value.length() > MAX_TEXT + WINDOW_SLACK ? value.substring(0, MAX_TEXT + WINDOW_SLACK) : value;
        String scrubbed = stripControls(maskNamedSecurityCodes(maskCardNumbersIn(window, strict)));
        if (scrubbed.length() <= MAX_TEXT) {
            return scrubbed;
        }
        int end = MAX_TEXT - 1;
        while (end > 0) {
            char c = scrubbed.charAt(end - 1);
            if (!isAsciiDigit(c) && c != ' ' && c != '-') {
                break;
            }
            end--;
        }
        return scrubbed.substring(0, end) + "…";
    }

    /**
     * True when free text holds what {@link #scrubText} would mask: a Luhn-valid run of 12 to 19
     * digits, or the digits of a security code named as such. Tool arguments holding it are refused.
     */
    public static boolean holdsCardData(String text) {
        return text != null && !maskNamedSecurityCodes(maskCardNumbersIn(text, true)).equals(text);
    }

    private static String maskCardNumbersIn(String text, boolean strict) {
        int digits = 0;
        for (int i = 0; i < text.length() && digits < 12; i++) {
            if (Character.isDigit(text.charAt(i))) {
                digits++;
            }
        }
        if (digits < 12) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (!isAsciiDigit(c)) {
                out.append(c);
                i++;
                continue;
            }
            int end = runEnd(text, i);
            int count = 0;
            for (int k = i; k < end; k++) {
                if (isAsciiDigit(text.charAt(k))) {
                    count++;
                }
            }
            if (count < 12) {
                out.append(text, i, end);
            } else {
                StringBuilder runDigits = new StringBuilder(count);
                for (int k = i; k < end; k++) {
                    if (isAsciiDigit(text.charAt(k))) {
                        runDigits.append(text.charAt(k));
                    }
                }
                String d = runDigits.toString();
                out.append((strict ? containsCardNumber(d) : plausibleCardNumber(d)) ? maskCardNumber(d) : text.substring(i, end));
            }
            i = end;
        }
        return out.toString();
    }

    /** "CVV 123", "cvc2: 1234", "security code is 123", "SecurityCode=123": the digits become x. */
    private static String maskNamedSecurityCodes(String text) {
        int digits = 0;
        for (int i = 0; i < text.length() && digits < 3; i++) {
            if (isAsciiDigit(text.charAt(i))) {
                digits++;
            }
        }
        if (digits < 3 || !mentionsSecurityCode(text)) {
            return text;
        }
        Matcher m = NAMED_SECURITY_CODE.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        do {
            out.append(text, last, m.start(3)).append("x".repeat(m.end(3) - m.start(3)));
            last = m.end(3);
        } while (m.find());
        return out.append(text, last, text.length()).toString();
    }

    /** A cheap pre-check for {@link #NAMED_SECURITY_CODE}: does any of its words start here? */
    private static boolean mentionsSecurityCode(String text) {
        for (int i = 0; i + 2 < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 'c' || c == 'C') {
                char d = text.charAt(i + 1);
                if (d == 'v' || d == 'V' || d == 's' || d == 'S' || d == 'i' || d == 'I') {
                    return true;
                }
            } else if ((c == 's' || c == 'S') && text.regionMatches(true, i, "secur", 0, 5)
                    || (c == 'v' || c == 'V') && text.regionMatches(true, i, "verif", 0, 5)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isAsciiDigit(char c) { return c >= '0' && c <= '9'; }

    /** A digit run continues through single spaces or dashes that sit between two digits. */
    private static int runEnd(String text, int start) {
        int i = start;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (isAsciiDigit(c)) {
                i++;
            } else if ((c == ' ' || c == '-') && i + 1 < text.length() && isAsciiDigit(text.charAt(i + 1))) {
                i++;
            } else {
                break;
            }
        }
        return i;
    }

    static boolean containsCardNumber(String digits) {
        if (digits.length() < 12) {
            return false;
        }
        for (int len = 12; len <= 19; len++) {
            for (int from = 0; from + len <= digits.length(); from++) {
                if (luhnValid(digits, from, from + len)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A known brand's prefix, a length that brand issues and a valid Luhn check: Visa 4 (13, 16, 19),
     * Mastercard 51-55 and 2221-2720 (16), Mir 2200-2204 (16-19), American Express 34 and 37 (15), Diners
     * Club 30, 36, 38, 39 (14-19), JCB 35 (16-19), Maestro, Discover, UnionPay and RuPay 50, 56-69 (12-19),
     * RuPay 81 and 82 (16). Generous where brands overlap: a false alarm masks a token, a miss leaks a card.
     */
    static boolean plausibleCardNumber(String digits) {
        int n = digits.length();
        if (n < 12 || n > 19 || !luhnValid(digits, 0, n)) {
            return false;
        }
        int two = (digits.charAt(0) - '0') * 10 + (digits.charAt(1) - '0');
        int four = Integer.parseInt(digits.substring(0, 4));
        if (two / 10 == 4) {
            return n == 13 || n == 16 || n == 19;
        }
        if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720) || two == 81 || two == 82) {
            return n == 16;
        }
        if (four >= 2200 && four <= 2204) {
            return n >= 16;
        }
        if (two == 34 || two == 37) {
            return n == 15;
        }
        if (two == 30 || two == 36 || two == 38 || two == 39) {
            return n >= 14;
        }
        if (two == 35) {
            return n >= 16;
        }
        return two == 50 || (two >= 56 && two <= 69);
    }

    /** The Luhn checksum Twilio and every card network use to catch mistyped numbers. */
    public static boolean luhnValid(CharSequence digits, int from, int to) {
        int sum = 0;
        boolean dbl = false;
        for (int i = to - 1; i >= from; i--) {
            int d = digits.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return false;
            }
            if (dbl) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            dbl = !dbl;
        }
        return sum % 10 == 0;
    }

    private static String stripControls(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                return text.replaceAll("\\p{Cntrl}", " ");
            }
        }
        return text;
    }
}
