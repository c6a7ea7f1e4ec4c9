package io.agentpay.gateway.twilio;

import com.twilio.exception.TwilioException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.api.v2010.account.call.Payment;
import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.PaymentField;
import io.agentpay.gateway.state.PaymentStatus;
import io.agentpay.gateway.state.PaymentStore;
import io.agentpay.gateway.state.PaymentUpdate;
import io.agentpay.gateway.state.Sids;
import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The one facade over Twilio's Payments API: opens, steers, completes and cancels payment
 * sessions on live calls and records each request in the {@link PaymentStore}. One instance per
 * process, reachable through {@link #getInstance()} once {@code Main} has initialized it.
 */
public final class TwilioAgentPaymentServer {
    private static volatile TwilioAgentPaymentServer instance;

    /** Everything the facade needs besides the credentials; {@code statusCallback} is read per request, so a reopened tunnel's URL is used at once. */
    public record Options(String tokenType, String currency, String paymentConnector, URI apiBaseUrl,
                          Supplier<URI> statusCallback, PaymentStore store, Duration timeout, int retries, Duration backoff) {}

    private final String accountSid;
    private final Options options;
    private final TwilioRestClient client;
    private final CallLegs legs;

    public TwilioAgentPaymentServer(String accountSid, String apiKey, String apiSecret, Options options) {
        this.accountSid = accountSid;
        this.options = options;
        this.client = new TwilioRestClient.Builder(apiKey, apiSecret)
                .accountSid(accountSid)
                .httpClient(new TwilioTransport(options.apiBaseUrl(), options.timeout(), options.retries(), options.backoff()))
                .build();
        this.legs = new CallLegs(client, accountSid);
    }

    /**
     * Builds ahead what the first payment start uses, so that it does not wait for it: the SDK's
     * request classes and the readers of Twilio's call and payment answers (Jackson deserializers
     * over some 150 classes, about 100 ms at start-up), by reading two answers shaped like
     * Twilio's. Nothing is sent and nothing is kept; a failure here only leaves the work to the
     * first call.
     */
    public void prepare() {
        try {
            ObjectMapper mapper = client.getObjectMapper();
            String date = "Tue, 01 Dec 2026 16:00:00 +0000";
            String callSid = "CA" + "0".repeat(32);
            String call = "{\"sid\": \"" + callSid + "\", \"account_sid\": \"" + accountSid + "\", \"parent_call_sid\": null, "
                    + "\"status\": \"in-progress\", \"direction\": \"inbound\", \"from\": \"+15550100\", \"to\": \"+15550101\", "
                    + "\"from_formatted\": \"(555) 0100\", \"to_formatted\": \"(555) 0101\", \"phone_number_sid\": null, "
                    + "\"date_created\": \"" + date + "\", \"date_updated\": \"" + date + "\", \"start_time\": \"" + date + "\", "
                    + "\"end_time\": null, \"duration\": null, \"price\": null, \"price_unit\": \"USD\", \"answered_by\": null, "
                    + "\"api_version\": \"2010-04-01\", \"forwarded_from\": null, \"group_sid\": null, \"caller_name\": null, "
                    + "\"queue_time\": \"0\", \"trunk_sid\": null, \"uri\": \"/2010-04-01/Accounts/" + accountSid + "/Calls/"
                    + callSid + ".json\", \"subresource_uris\": {}}";
            Call.fromJson(call, mapper);
            Payment.fromJson("{\"sid\": \"PK" + "0".repeat(32) + "\", \"account_sid\": \"" + accountSid + "\", \"call_sid\": \""
                    + callSid + "\", \"date_created\": \"" + date + "\", \"date_updated\": \"" + date + "\", \"uri\": \"/x\"}", mapper);
            Call.fetcher(accountSid, callSid);
            PaymentCreation.creator(new StartRequest(callSid, java.math.BigDecimal.TEN, null, null, null, false, true, null), accountSid, callSid, key(), URI.create("https://example.invalid/callbacks/x"),
                    options.paymentConnector(), options.tokenType(), options.currency());
        } catch (RuntimeException e) {
            // the first call does this work itself
        }
    }

    /** Creates the process-wide instance once; later calls return the first. */
    public static synchronized TwilioAgentPaymentServer initialize(String accountSid, String apiKey, String apiSecret,
                                                                   Options options) {
        if (instance == null) {
            instance = new TwilioAgentPaymentServer(accountSid, apiKey, apiSecret, options);
        }
        return instance;
    }

    public static TwilioAgentPaymentServer getInstance() {
        TwilioAgentPaymentServer current = instance;
        if (current == null) {
            throw new IllegalStateException("TwilioAgentPaymentServer not initialized. Call initialize() first.");
        }
        return current;
    }

    public PaymentStore store() {
        return options.store();
    }

    /**
     * Opens a payment session on a live call and returns its first known status. When the given
     * call is an agent's SIP or client leg, the session opens on the caller's PSTN leg instead
     * ({@link #legChoice(String)} says which and why).
     */
    public PaymentStatus start(StartRequest request) {
        request.requireValid();
        requireNoOpenSession(request.callSid());
        String callSid = legs.pstnLeg(request.callSid());
        if (!callSid.equals(request.callSid())) {
            requireNoOpenSession(callSid);
        }
        String paymentMethod = request.ach() ? "ach-debit" : "credit-card";
        String currency = request.currency() == null ? options.currency() : request.currency();
        var creator = PaymentCreation.creator(request, accountSid, callSid, key(), options.statusCallback().get(),
                options.paymentConnector(), options.tokenType(), currency);
        Payment payment;
        try {
            payment = creator.create(client);
        } catch (TwilioException e) {
            throw diagnose(e, TwilioErrors.START, callSid, null);
        }
        if (!Sids.is(payment.getSid(), Sids.PAYMENT)) {
            // Never keep or repeat what came instead: it could be anything, card data included.
            throw new PaymentException("twilio-unexpected-answer", null, "Twilio's answer to the payment start on call "
                    + callSid + " carried no valid payment SID, so the session cannot be followed.",
                    "Call startPaymentCapture once more. If Twilio then says a session is already in progress on the call, "
                            + "that session cannot be steered from here: take the payment another way on this call.");
        }
        Map<PaymentField, String> values = new EnumMap<>(PaymentField.class);
        values.put(PaymentField.PAYMENT_METHOD, paymentMethod);
        if (request.bankAccountType() != null) {
            values.put(PaymentField.BANK_ACCOUNT_TYPE, request.bankAccountType());
        }
        values.put(PaymentField.PAYMENT_CONNECTOR, options.paymentConnector());
        if (request.charges()) {
            values.put(PaymentField.CURRENCY, currency);
            values.put(PaymentField.CHARGE_AMOUNT, request.chargeAmount().toPlainString());
        } else {
            values.put(PaymentField.TOKEN_TYPE, options.tokenType());
        }
        options.store().apply(PaymentUpdate.created(payment.getSid(), callSid, values, PaymentCreation.expectedFields(request)));
        return status(payment.getSid(), callSid);
    }

    /** Why the payment for the agent's leg {@code callSid} runs on another leg, when it does. */
    public Optional<Map<String, Object>> legChoice(String callSid) {
        return legs.choiceFor(callSid).map(CallLegs.Choice::toView);
    }

    private void requireNoOpenSession(String callSid) {
        Optional<PaymentStatus> open = options.store().onCall(callSid).stream()
                .filter(s -> !s.state().terminal())
                .findFirst();
        if (open.isPresent()) {
            PaymentStatus existing = open.get();
            throw new PaymentException("session-open", null, "Payment session " + existing.paymentSid()
                    + " is still open on call " + callSid + " (state " + existing.state().wire() + ").",
                    "Continue with paymentSid " + existing.paymentSid() + " (getPaymentStatus shows where it stands, as "
                            + "does " + existing.statusUri() + "), or call cancelPaymentCapture on it before starting a new one.");
        }
    }

    /** Asks the caller for one field; calling it again for the same field lets the caller re-enter it. */
    public PaymentStatus capture(String callSid, String paymentSid, CaptureField field) {
        callSid = legs.resolve(callSid); // the agent's leg stands for the PSTN leg the payment runs on
        requireOpen(callSid, paymentSid);
        // Recorded before Twilio is asked: the caller's first keypress can be reported before Twilio's answer arrives.
        Optional<PaymentStatus> before = options.store().find(paymentSid);
        Optional<PaymentStatus> mine = options.store().apply(PaymentUpdate.captureRequested(paymentSid, callSid, field));
        try {
            Payment.updater(accountSid, callSid, paymentSid, key(), options.statusCallback().get())
                    .setCapture(Payment.Capture.forValue(field.wire()))
                    .update(client);
        } catch (TwilioException e) {
            // Twilio may have applied a request whose answers were lost: undo only this request's own change, and only
            // while nothing (a callback above all) has been merged since; a session callbacks touched is kept.
            mine.ifPresent(changed -> before.ifPresentOrElse(
                    previous -> options.store().applyIfStillAt(PaymentUpdate.restore(previous), changed.version()),
                    () -> options.store().evictIfStillAt(paymentSid, changed.version())));
            throw diagnose(e, "the " + field.spoken() + " capture", callSid, paymentSid);
        }
        return status(paymentSid, callSid);
    }

    /** Submits the captured data to the Pay Connector; the outcome arrives by callback. */
    public PaymentStatus complete(String callSid, String paymentSid) {
        callSid = legs.resolve(callSid); // the agent's leg stands for the PSTN leg the payment runs on
        requireOpen(callSid, paymentSid);
        finish(callSid, paymentSid, Payment.Status.COMPLETE, "completion");
        options.store().apply(PaymentUpdate.completeRequested(paymentSid, callSid));
        return status(paymentSid, callSid);
    }

    /** Ends the session without charging or tokenizing anything. */
    public PaymentStatus cancel(String callSid, String paymentSid) {
        callSid = legs.resolve(callSid); // the agent's leg stands for the PSTN leg the payment runs on
        requireOpen(callSid, paymentSid);
        finish(callSid, paymentSid, Payment.Status.CANCEL, "cancellation");
        options.store().apply(PaymentUpdate.cancelRequested(paymentSid, callSid));
        return status(paymentSid, callSid);
    }

    private void finish(String callSid, String paymentSid, Payment.Status status, String operation) {
        try {
            Payment.updater(accountSid, callSid, paymentSid, key(), options.statusCallback().get()).setStatus(status).update(client);
        } catch (TwilioException e) {
            throw diagnose(e, "the " + operation, callSid, paymentSid);
        }
    }

    private void requireOpen(String callSid, String paymentSid) {
        Optional<PaymentStatus> known = options.store().find(paymentSid);
        if (known.isEmpty()) {
            return;
        }
        PaymentStatus status = known.get();
        if (status.callSid() != null && !status.callSid().equals(callSid)) {
            throw new PaymentException("call-mismatch", null, "Payment " + paymentSid + " belongs to call " + status.callSid()
                    + ", not " + callSid + ".", "Use the callSid and paymentSid pair that startPaymentCapture returned.");
        }
        if (status.state().terminal()) {
            throw new PaymentException("session-finished", null, "Payment " + paymentSid + " is already "
                    + status.state().wire() + ".", "Start a new session with startPaymentCapture if the caller wants to pay again.");
        }
    }

    private void requireInProgress(String callSid, String paymentSid) {
        legs.requireInProgress(callSid, paymentSid);
    }

    /** After a refused update, a call that has ended explains it better than Twilio's error does. */
    private PaymentException diagnose(TwilioException e, String operation, String callSid, String paymentSid) {
        PaymentException translated = TwilioErrors.translate(e, operation, callSid, paymentSid);
        if (translated.kind().equals("invalid-for-session") || translated.kind().equals("not-found")
                || translated.kind().equals("twilio-error") || "call-not-in-progress".equals(translated.kind())) {
            try {
                requireInProgress(callSid, paymentSid);
            } catch (PaymentException callProblem) {
                if (callProblem.kind().equals("call-not-in-progress")) {
                    return callProblem;
                }
            }
        }
        return translated;
    }

    private PaymentStatus status(String paymentSid, String callSid) {
        return options.store().find(paymentSid).orElseGet(() -> PaymentStatus.empty(paymentSid, callSid, java.time.Instant.now()));
    }

    /** One fresh idempotency key per logical operation; the transport's retries resend the same one. */
    private static String key() {
        return UUID.randomUUID().toString();
    }
}
