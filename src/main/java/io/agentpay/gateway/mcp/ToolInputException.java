package io.agentpay.gateway.mcp;

/** An argument is missing or malformed; the message names it and the form expected. */
public final class ToolInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ToolInputException(String message) {
        super(message, null, false, false);
    }
}
