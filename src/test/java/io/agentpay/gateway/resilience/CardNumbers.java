package io.agentpay.gateway.resilience;

import java.util.Random;

/** Luhn-valid card numbers of 13 to 19 digits, plain or grouped with spaces or dashes, for planting. */
public final class CardNumbers {
    private CardNumbers() {}

    public static String luhnValid(Random random, int length) {
        int[] digits = new int[length];
        digits[0] = 2 + random.nextInt(5);
        for (int i = 1; i < length - 1; i++) {
            digits[i] = random.nextInt(10);
        }
        int sum = 0;
        for (int i = length - 2, pos = 0; i >= 0; i--, pos++) {
            int d = digits[i];
            if (pos % 2 == 0) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        digits[length - 1] = (10 - sum % 10) % 10;
        StringBuilder out = new StringBuilder();
        for (int d : digits) {
            out.append(d);
        }
        return out.toString();
    }

    /** The same number as a person might type it: plain, in groups of four, with spaces or dashes. */
    public static String formatted(String number, int style) {
        if (style == 0) {
            return number;
        }
        String separator = style == 1 ? " " : "-";
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < number.length(); i++) {
            if (i > 0 && i % 4 == 0) {
                out.append(separator);
            }
            out.append(number.charAt(i));
        }
        return out.toString();
    }
}
