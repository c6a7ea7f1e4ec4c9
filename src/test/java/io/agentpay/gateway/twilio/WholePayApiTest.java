package io.agentpay.gateway.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.sandbox.PaySimulator.Fault;
import io.agentpay.gateway.sandbox.Scenario;
import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.NextAction;
import io.agentpay.gateway.state.PaymentField;
import io.agentpay.gateway.state.PaymentState;
import io.agentpay.gateway.state.PaymentStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parts of Twilio Pay beyond a plain card capture, through the facade and the real Twilio SDK
 * against the Twilio emulator: ACH, matching inputs, the remaining create parameters, the PSTN leg
 * found from an agent's leg, and the advice per Pay error code.
 */
class WholePayApiTest {
    private GatewayFixture gateway;
    private TwilioAgentPaymentServer payments;

    @BeforeEach
    void start() throws Exception {
        gateway = new GatewayFixture(Duration.ofMillis(10), Duration.ofSeconds(2));
        payments = gateway.payments;
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private static String call(Scenario scenario) {
        return scenario.callSid("c0ffeec0ffeec0ffeec0ffeec0ff");
    }

    private static StartRequest ach(String callSid, Map<String, String> parameters) {
        return new StartRequest(callSid, null, null, "ach-debit", null, true, true, "visa", parameters,
                "consumer-savings", null, null, null, null);
    }

    private List<PaySimulator.Recorded> posts() {
        return gateway.twilio.requests().stream().filter(r -> r.method().equals("POST")).toList();
    }

    /** Asks for one field and waits until its result and every callback sent so far have arrived. */
    private PaymentStatus capture(String callSid, String paymentSid, CaptureField field) {
        payments.capture(callSid, paymentSid, field);
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.twilio.callbacksInFlight() == 0
                && gateway.store.find(paymentSid).map(s -> s.errorType() != null || s.state() != PaymentState.CAPTURING).orElse(false));
        return gateway.store.find(paymentSid).orElseThrow();
    }

    private PaymentStatus complete(String callSid, String paymentSid) {
        payments.complete(callSid, paymentSid);
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.store.find(paymentSid).orElseThrow().state().terminal());
        return gateway.store.find(paymentSid).orElseThrow();
    }

    @Test
    void anAchStartWithoutTheHoldersNameIsRefusedBeforeTwilio() {
        assertThatThrownBy(() -> payments.start(ach(call(Scenario.ACH), Map.of())))
                .isInstanceOfSatisfying(PaymentException.class, e -> {
                    assertThat(e.kind()).isEqualTo("account-holder-name-missing");
                    assertThat(e.getMessage()).contains("AVSName");
                    assertThat(e.nextStep()).contains("Ask the caller for the account holder's name").contains("AVSName");
                });
        assertThat(gateway.twilio.requestCount()).isZero();
    }

    @Test
    void anAchPaymentSendsTheConnectorParametersAndNoCardOptionsThenCompletes() throws Exception {
        String callSid = call(Scenario.ACH);
        PaymentStatus started = payments.start(ach(callSid, Map.of("AVSName", "Jane Doe")));
        Map<String, String> create = posts().get(0).params();
        assertThat(Json.MAPPER.readTree(create.get("Parameter")).path("AVSName").asText()).isEqualTo("Jane Doe");
        assertThat(create).containsEntry("PaymentMethod", "ach-debit").containsEntry("BankAccountType", "consumer-savings")
                .doesNotContainKeys("ValidCardTypes", "SecurityCode", "PostalCode", "Currency");
        assertThat(started.required()).containsExactly(CaptureField.BANK_ROUTING_NUMBER, CaptureField.BANK_ACCOUNT_NUMBER);
        String paymentSid = started.paymentSid();
        capture(callSid, paymentSid, CaptureField.BANK_ROUTING_NUMBER);
        PaymentStatus ready = capture(callSid, paymentSid, CaptureField.BANK_ACCOUNT_NUMBER);
        assertThat(ready.state()).isEqualTo(PaymentState.READY_TO_COMPLETE);
        PaymentStatus done = complete(callSid, paymentSid);
        assertThat(done.state()).isEqualTo(PaymentState.COMPLETED);
        assertThat(done.value(PaymentField.BANK_ACCOUNT_NUMBER)).isEqualTo("xxxxxxxxxx89");
        assertThat(done.value(PaymentField.BANK_ACCOUNT_TYPE)).isEqualTo("consumer-savings");
    }

    @Test
    void aCardNumberInConnectorParametersIsRefusedAndNeverSent() {
        assertThatThrownBy(() -> payments.start(ach(call(Scenario.ACH), Map.of("AVSName", "Jane", "Note", "card 4111 1111 1111 1111"))))
                .isInstanceOfSatisfying(PaymentException.class, e -> {
                    assertThat(e.kind()).isEqualTo("card-data-in-arguments");
                    assertThat(e.getMessage()).contains("connectorParameters.Note").doesNotContain("1111");
                });
        assertThat(gateway.twilio.requestCount()).isZero();
    }

    @Test
    void theEmulatorRefusesAnAchStartWithoutTheNameAsTheConnectorDoesAndTheAdviceNamesAvsName() {
        String callSid = call(Scenario.ACH);
        // What a server without the check above would send: the connector's refusal, error 64014.
        var creator = com.twilio.rest.api.v2010.account.call.Payment.creator(gateway.twilio.credentials().accountSid(), callSid,
                "k-1", java.net.URI.create(gateway.publicBase + gateway.callbacks.callbackPath()))
                .setPaymentMethod(com.twilio.rest.api.v2010.account.call.Payment.PaymentMethod.ACH_DEBIT);
        var client = new com.twilio.http.TwilioRestClient.Builder(gateway.twilio.credentials().apiKey(),
                gateway.twilio.credentials().apiSecret()).accountSid(gateway.twilio.credentials().accountSid())
                .httpClient(new TwilioTransport(gateway.twilio.baseUrl(), Duration.ofSeconds(2), 0, Duration.ofMillis(1))).build();
        assertThatThrownBy(() -> creator.create(client)).isInstanceOfSatisfying(com.twilio.exception.ApiException.class, e -> {
            assertThat(e.getCode()).isEqualTo(64014);
            PaymentException advice = TwilioErrors.translate(e, TwilioErrors.START, callSid, null);
            assertThat(advice.kind()).isEqualTo("account-holder-name-missing");
            assertThat(advice.nextStep()).contains("AVSName");
        });
    }

    @Test
    void matchingInputsAskForASecondEntryAndAMismatchLeadsThroughBothEntriesAgain() {
        String callSid = call(Scenario.MATCHER_MISMATCH);
        PaymentStatus started = payments.start(new StartRequest(callSid, null, null, null, null, false, true, null, null, null,
                List.of(CaptureField.PAYMENT_CARD_NUMBER), null, null, null));
        assertThat(posts().get(0).params()).containsEntry("RequireMatchingInputs", "payment-card-number");
        assertThat(started.required()).startsWith(CaptureField.PAYMENT_CARD_NUMBER, CaptureField.PAYMENT_CARD_NUMBER_MATCHER);
        String paymentSid = started.paymentSid();

        PaymentStatus first = capture(callSid, paymentSid, CaptureField.PAYMENT_CARD_NUMBER);
        assertThat(first.state()).isEqualTo(PaymentState.FIELD_COMPLETE);
        assertThat(NextAction.describe(first)).contains("a second time").contains("captureCardNumber").contains("secondEntry: true");

        PaymentStatus mismatch = capture(callSid, paymentSid, CaptureField.PAYMENT_CARD_NUMBER_MATCHER);
        assertThat(posts().get(posts().size() - 1).params()).containsEntry("Capture", "payment-card-number-matcher");
        assertThat(mismatch.errorType()).isEqualTo("input-matching-failed");
        assertThat(NextAction.describe(mismatch)).contains("did not match").contains("without blame")
                .contains("captureCardNumber (callSid=").contains("secondEntry: true");

        capture(callSid, paymentSid, CaptureField.PAYMENT_CARD_NUMBER);
        PaymentStatus matched = capture(callSid, paymentSid, CaptureField.PAYMENT_CARD_NUMBER_MATCHER);
        assertThat(matched.errorType()).isNull();
        assertThat(matched.required()).doesNotContain(CaptureField.PAYMENT_CARD_NUMBER, CaptureField.PAYMENT_CARD_NUMBER_MATCHER);
        assertThat(NextAction.describe(matched)).contains("captureSecurityCode");
        capture(callSid, paymentSid, CaptureField.SECURITY_CODE);
        capture(callSid, paymentSid, CaptureField.EXPIRATION_DATE);
        assertThat(complete(callSid, paymentSid).state()).isEqualTo(PaymentState.COMPLETED);
    }

    @Test
    void confirmationTimeoutAndMinimumPostalCodeLengthAreSentAndCurrencyOnlyWithACharge() {
        payments.start(new StartRequest(call(Scenario.DEFAULT), null, "EUR", null, null, true, true, null, null, null, null,
                true, 12, 5));
        assertThat(posts().get(0).params()).containsEntry("Confirmation", "true").containsEntry("Timeout", "12")
                .containsEntry("MinPostalCodeLength", "5").containsEntry("TokenType", "reusable")
                .doesNotContainKeys("Currency", "ChargeAmount", "BankAccountType", "Parameter", "RequireMatchingInputs");
    }

    @Test
    void anAgentsSipChildLegPaysOnTheCallersParentLegAndEitherSidSteersIt() {
        String agentLeg = call(Scenario.SIP_CHILD_LEG);
        String callerLeg = agentLeg.substring(0, 30) + "a007";
        PaymentStatus started = payments.start(new StartRequest(agentLeg, null, null, null, null, false, true, null));
        assertThat(started.callSid()).isEqualTo(callerLeg);
        assertThat(posts().get(0).path()).endsWith("/Calls/" + callerLeg + "/Payments.json");
        assertThat(payments.legChoice(agentLeg)).hasValueSatisfying(view -> {
            assertThat(view).containsEntry("paymentLeg", callerLeg).containsEntry("givenCallSid", agentLeg);
            assertThat((String) view.get("why")).contains("SIP address").contains("parent call " + callerLeg);
        });
        payAll(agentLeg, callerLeg, started.paymentSid());
    }

    @Test
    void anAgentsSipParentLegPaysOnTheChildThatDialledTheCaller() {
        String agentLeg = call(Scenario.SIP_PARENT_LEG);
        String callerLeg = agentLeg.substring(0, 30) + "a008";
        PaymentStatus started = payments.start(new StartRequest(agentLeg, null, null, null, null, false, true, null));
        assertThat(started.callSid()).isEqualTo(callerLeg);
        assertThat(gateway.twilio.requests()).anyMatch(r -> r.method().equals("GET") && r.path().endsWith("/Calls.json")
                && agentLeg.equals(r.params().get("ParentCallSid")));
        assertThat(payments.legChoice(agentLeg).orElseThrow().get("why").toString()).contains("child call " + callerLeg);
        // Callbacks name the parent (agent) leg; the session stays on the caller's leg.
        payAll(agentLeg, callerLeg, started.paymentSid());
        assertThat(gateway.store.find(started.paymentSid()).orElseThrow().callSid()).isEqualTo(callerLeg);
    }

    /** Captures with the agent's leg and with the caller's, then completes: each SID reaches the same payment. */
    private void payAll(String agentLeg, String callerLeg, String paymentSid) {
        assertThat(capture(agentLeg, paymentSid, CaptureField.PAYMENT_CARD_NUMBER).state()).isEqualTo(PaymentState.FIELD_COMPLETE);
        capture(callerLeg, paymentSid, CaptureField.SECURITY_CODE);
        capture(agentLeg, paymentSid, CaptureField.EXPIRATION_DATE);
        assertThat(posts()).allMatch(r -> r.path().contains("/Calls/" + callerLeg + "/"));
        assertThat(complete(agentLeg, paymentSid).state()).isEqualTo(PaymentState.COMPLETED);
    }

    @Test
    void aCallWithNoLegOnThePhoneNetworkIsRefusedWithItsTopology() {
        assertThatThrownBy(() -> payments.start(new StartRequest(call(Scenario.NO_PSTN_LEG), null, null, null, null, false, true, null)))
                .isInstanceOfSatisfying(PaymentException.class, e -> {
                    assertThat(e.kind()).isEqualTo("no-pstn-leg");
                    assertThat(e.getMessage()).contains("SIP address").contains("no parent call").contains("DTMF");
                    assertThat(e.nextStep()).contains("phone number");
                });
        assertThat(posts()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {64001, 64002, 64003, 64004, 64005, 64006, 64007, 64008, 64009, 64010, 64011, 64012, 64013, 64014,
            64015, 64016, 64017, 64018, 64019, 64020, 64021})
    void everyPayErrorCodeOnAStartHasItsOwnNextStep(int code) {
        int retries = code == 64002 ? 4 : 1; // 64002 is retried: every attempt must fail for the advice to show
        Fault[] faults = new Fault[retries + 1];
        faults[0] = Fault.delay(1); // the call lookup passes
        for (int i = 1; i <= retries; i++) {
            faults[i] = Fault.status(400, code, "Simulated " + code);
        }
        gateway.twilio.inject(faults);
        assertThatThrownBy(() -> payments.start(new StartRequest(call(Scenario.DEFAULT), null, null, null, null, false, true, null)))
                .isInstanceOfSatisfying(PaymentException.class, e -> {
                    assertThat(e.twilioCode()).isEqualTo(code);
                    assertThat(e.kind()).isNotEqualTo("twilio-error");
                    assertThat(e.nextStep()).isNotBlank();
                    if (code == 64021) {
                        assertThat(e.kind()).isEqualTo("session-in-progress");
                        assertThat(e.nextStep().toLowerCase()).doesNotContain("start a new session");
                    }
                    if (code == 64014) {
                        assertThat(e.nextStep()).contains("AVSName");
                    }
                });
    }

    @Test
    void payServiceUnavailableIsRetriedWithTheSameIdempotencyKey() {
        gateway.twilio.inject(Fault.delay(1), Fault.status(400, 64002, "Pay service unavailable"));
        PaymentStatus started = payments.start(new StartRequest(call(Scenario.DEFAULT), null, null, null, null, false, true, null));
        assertThat(started.paymentSid()).startsWith("PK");
        assertThat(posts()).hasSize(2);
        assertThat(posts().get(1).params().get("IdempotencyKey")).isEqualTo(posts().get(0).params().get("IdempotencyKey"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"RFC2822_DATES", "OUT_OF_ORDER"})
    void aProgressCallbackArrivingAfterItsFieldsResultNeverUndoesIt(String scenarioName) {
        String callSid = call(Scenario.valueOf(scenarioName));
        String paymentSid = payments.start(new StartRequest(callSid, null, null, null, null, false, true, null)).paymentSid();
        for (CaptureField field : List.of(CaptureField.PAYMENT_CARD_NUMBER, CaptureField.SECURITY_CODE)) {
            PaymentStatus captured = capture(callSid, paymentSid, field);
            assertThat(captured.state()).as(field.wire()).isEqualTo(PaymentState.FIELD_COMPLETE);
            assertThat(captured.required()).doesNotContain(field);
        }
        assertThat(capture(callSid, paymentSid, CaptureField.EXPIRATION_DATE).state()).isEqualTo(PaymentState.READY_TO_COMPLETE);
        assertThat(complete(callSid, paymentSid).state()).isEqualTo(PaymentState.COMPLETED);
    }
}
