package io.agentpay.gateway.cli;

/**
 * The three Twilio credentials. Each comes from its environment variable, which keeps the secret out of
 * the process list and the host's argument list, or from its positional argument, which wins when given.
 */
public enum Credential {
    ACCOUNT_SID("accountSid", "TWILIO_ACCOUNT_SID"),
    API_KEY("apiKey", "TWILIO_API_KEY"),
    API_SECRET("apiSecret", "TWILIO_API_SECRET");

    private final String label;
    private final String env;

    Credential(String label, String env) {
        this.label = label;
        this.env = env;
    }

    public String env() { return env; }

    /** How messages name it, never with its value: {@code TWILIO_API_KEY (or argument 2, apiKey)}. */
    public String display() { return env + " (or argument " + (ordinal() + 1) + ", " + label + ")"; }
}
