package io.agentpay.gateway.state;

/** The shared session store cannot be used right now; the message says which and why, never a secret. */
public final class StoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message) {
        super(message, null, false, false);
    }
}
