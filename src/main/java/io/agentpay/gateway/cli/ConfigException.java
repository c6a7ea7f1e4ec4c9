package io.agentpay.gateway.cli;

/** A setting is missing or malformed; the message names it and the expected form, never its value if secret. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
