package io.agentpay.gateway.twilio;

import com.twilio.rest.api.v2010.account.call.Payment;
import com.twilio.rest.api.v2010.account.call.PaymentCreator;
import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.CardData;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns a {@link StartRequest} into Twilio's create parameters, and says which fields Twilio will
 * then list in {@code Required}. Card-only options never go with an ACH payment, bank-only ones
 * never with a card, and {@code Currency} only with a charge.
 */
final class PaymentCreation {
    private PaymentCreation() {}

    static PaymentCreator creator(StartRequest request, String accountSid, String callSid, String idempotencyKey,
                                  URI statusCallback, String paymentConnector, String tokenType, String currency) {
        PaymentCreator creator = Payment.creator(accountSid, callSid, idempotencyKey, statusCallback)
                .setPaymentConnector(paymentConnector)
                .setPaymentMethod(Payment.PaymentMethod.forValue(request.ach() ? "ach-debit" : "credit-card"));
        if (request.ach()) {
            if (request.bankAccountType() != null) {
                creator.setBankAccountType(Payment.BankAccountType.forValue(request.bankAccountType()));
            }
        } else {
            creator.setSecurityCode(request.securityCode()).setPostalCode(request.postalCode());
            if (request.validCardTypes() != null) {
                creator.setValidCardTypes(request.validCardTypes());
            }
            if (request.minPostalCodeLength() != null) {
                creator.setMinPostalCodeLength(request.minPostalCodeLength());
            }
            if (!request.requireMatchingInputs().isEmpty()) {
                creator.setRequireMatchingInputs(request.requireMatchingInputs().stream().map(CaptureField::wire)
                        .collect(Collectors.joining(",")));
            }
        }
        if (!request.connectorParameters().isEmpty()) {
            creator.setParameter(request.connectorParameters()); // a Map: the SDK sends it as a JSON object
        }
        if (request.confirmation() != null) {
            creator.setConfirmation(Payment.Confirmation.forValue(request.confirmation().toString()));
        }
        if (request.timeout() != null) {
            creator.setTimeout(request.timeout());
        }
        if (request.charges()) {
            creator.setChargeAmount(request.chargeAmount()).setCurrency(currency);
        } else {
            creator.setTokenType(Payment.TokenType.forValue(tokenType));
        }
        if (request.description() != null) {
            creator.setDescription(CardData.scrubText(request.description()));
        }
        return creator;
    }

    /** The fields Twilio lists in {@code Required} at the start, each second entry right after its first. */
    static List<CaptureField> expectedFields(StartRequest request) {
        List<CaptureField> fields = new ArrayList<>();
        if (request.ach()) {
            fields.add(CaptureField.BANK_ROUTING_NUMBER);
            fields.add(CaptureField.BANK_ACCOUNT_NUMBER);
            return fields;
        }
        add(fields, CaptureField.PAYMENT_CARD_NUMBER, request);
        if (request.securityCode()) {
            add(fields, CaptureField.SECURITY_CODE, request);
        }
        add(fields, CaptureField.EXPIRATION_DATE, request);
        if (request.postalCode()) {
            add(fields, CaptureField.POSTAL_CODE, request);
        }
        return fields;
    }

    private static void add(List<CaptureField> fields, CaptureField field, StartRequest request) {
        fields.add(field);
        if (request.requireMatchingInputs().contains(field)) {
            fields.add(field.matcher());
        }
    }
}
