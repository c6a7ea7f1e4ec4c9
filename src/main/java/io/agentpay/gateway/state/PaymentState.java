package io.agentpay.gateway.state;

/** Where a payment session stands, as the status resource reports it to the model. */
public enum PaymentState {
    STARTED("started"),
    CAPTURING("capturing"),
    FIELD_COMPLETE("field-complete"),
    READY_TO_COMPLETE("ready-to-complete"),
    COMPLETED("completed"),
    CANCELLED("cancelled"),
    FAILED("failed");

    private final String wire;

    PaymentState(String wire) { this.wire = wire; }

    public String wire() { return wire; }

    public boolean terminal() {
        return this == COMPLETED || this == CANCELLED || this == FAILED;
    }
}
