package io.agentpay.gateway.twilio;

import java.math.BigDecimal;

/**
 * What {@code startPaymentCapture} asks for. {@code chargeAmount} null or zero tokenizes the
 * card; positive charges it. Null fields take the server's configured defaults.
 */
public record StartRequest(
        String callSid,
        BigDecimal chargeAmount,
        String currency,
        String paymentMethod,
        String description,
        boolean postalCode,
        boolean securityCode,
        String validCardTypes) {

    public boolean charges() {
        return chargeAmount != null && chargeAmount.signum() > 0;
    }

    public boolean ach() {
        return "ach-debit".equals(paymentMethod);
    }
}
