package io.agentpay.gateway.sandbox;

import java.util.Locale;
import java.util.Optional;

/**
 * How the simulated caller behaves on a call, chosen by the last four hex digits of the call SID
 * (so any well-formed call SID works and needs no set-up).
 */
public enum Scenario {
    DEFAULT("0000", "keys a valid Visa test card, security code and expiry at the first attempt"),
    INVALID_CARD("0001", "mistypes the card number once (fails the Luhn check), then keys it correctly"),
    EXPIRED_CARD("0002", "keys an expiry date in the past once, then a valid one"),
    TIMEOUT("0003", "lets the security code time out once, then keys it"),
    HANG_UP("0004", "hangs up while keying the card number"),
    DECLINED("0005", "keys valid details, but the processor declines the card on completion"),
    AMEX("0006", "keys an American Express card with a four-digit security code"),
    CALL_ENDED("0009", "has already hung up: the call is no longer in progress"),
    SIP_CHILD_LEG("0007", "is on a phone call bridged to the agent's SIP phone, and the agent gives its own (SIP, child) "
            + "leg: the payment runs on the caller's (PSTN, parent) leg"),
    SIP_PARENT_LEG("0008", "is reached by a call the agent's SIP phone placed, and the agent gives that (SIP, parent) leg: "
            + "the payment runs on the child leg that dialled the caller's phone number; callbacks name the parent leg"),
    NO_PSTN_LEG("000c", "is on a SIP call to an app (client) with no leg on the phone network: no keypad payment can start"),
    ACH("000a", "pays from a bank account (ach-debit): the agent first forgets the account holder's name, which is refused, "
            + "then starts with it; the caller keys routing and account numbers"),
    MATCHER_MISMATCH("000b", "keys the card number twice (requireMatchingInputs); the second entry differs once, then both "
            + "entries match"),
    RFC2822_DATES("000d", "keys valid details; callbacks are dated RFC 2822 (whole seconds) and each field's progress "
            + "callback arrives after its result"),
    OUT_OF_ORDER("000e", "keys valid details; callbacks are dated ISO 8601 and each field's progress callback arrives "
            + "after its result");

    private final String suffix;
    private final String description;

    Scenario(String suffix, String description) {
        this.suffix = suffix;
        this.description = description;
    }

    public String suffix() { return suffix; }

    public String description() { return description; }

    /** The name used by {@code demo --scenario}: invalid-card, hang-up, … */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The scenario a call SID selects; any suffix not listed is {@link #DEFAULT}. */
    public static Scenario of(String callSid) {
        String tail = callSid.substring(callSid.length() - 4).toLowerCase(Locale.ROOT);
        for (Scenario s : values()) {
            if (s.suffix.equals(tail)) {
                return s;
            }
        }
        return DEFAULT;
    }

    public static Optional<Scenario> byLabel(String label) {
        for (Scenario s : values()) {
            if (s.label().equals(label)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** A call SID that selects this scenario. */
    public String callSid(String randomHex28) {
        return "CA" + randomHex28.substring(0, 28) + suffix;
    }
}
