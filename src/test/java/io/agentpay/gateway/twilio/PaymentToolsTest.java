package io.agentpay.gateway.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.sandbox.PaySimulator.Fault;
import io.agentpay.gateway.state.PaymentState;
import io.agentpay.gateway.tunnel.Reachability;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each tool through the real Twilio SDK, over real HTTP, against the Twilio emulator. */
class PaymentToolsTest {
    static final String CALL = "CAfedcba9876543210fedcba9876543210";

    private GatewayFixture gateway;

    @BeforeEach
    void start() throws Exception {
        gateway = new GatewayFixture(Duration.ofMillis(10), Duration.ofMillis(500));
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private String startSession() {
        CallToolResult result = gateway.call("startPaymentCapture", Map.of("callSid", CALL));
        assertThat(result.isError()).as(GatewayFixture.body(result).toString()).isFalse();
        return GatewayFixture.body(result).path("paymentSid").asText();
    }

    private List<PaySimulator.Recorded> posts() {
        return gateway.twilio.requests().stream().filter(r -> r.method().equals("POST")).toList();
    }

    @Test
    void startSendsTwilioTheExactParametersOfACharge() {
        CallToolResult result = gateway.call("startPaymentCapture", Map.of("callSid", CALL, "chargeAmount", "25.00",
                "postalCode", true, "description", "Order 1042"));
        JsonNode body = GatewayFixture.body(result);
        assertThat(result.isError()).isFalse();
        assertThat(body.path("paymentSid").asText()).matches("PK[0-9a-f]{32}");
        assertThat(body.path("statusResource").asText()).isEqualTo("payment://" + CALL + "/" + body.path("paymentSid").asText() + "/status");
        assertThat(body.path("state").asText()).isEqualTo("started");
        assertThat(gateway.twilio.requests().get(0).method()).isEqualTo("GET");
        PaySimulator.Recorded create = posts().get(0);
        assertThat(create.path()).endsWith("/Calls/" + CALL + "/Payments.json");
        assertThat(create.user()).isEqualTo(gateway.twilio.credentials().apiKey());
        assertThat(create.params()).containsEntry("ChargeAmount", "25.00").containsEntry("Currency", "USD")
                .containsEntry("PaymentConnector", "Default").containsEntry("PaymentMethod", "credit-card")
                .containsEntry("SecurityCode", "true").containsEntry("PostalCode", "true")
                .containsEntry("Description", "Order 1042")
                .containsEntry("StatusCallback", gateway.publicBase + gateway.callbacks.callbackPath())
                .doesNotContainKey("TokenType");
        assertThat(create.params().get("IdempotencyKey")).isNotBlank();
    }

    @Test
    void startWithoutAnAmountTokenizesWithTheConfiguredTokenType() {
        startSession();
        assertThat(posts().get(0).params()).containsEntry("TokenType", "reusable").doesNotContainKey("ChargeAmount")
                .containsEntry("PostalCode", "false");
    }

    @ParameterizedTest
    @CsvSource({"captureCardNumber,payment-card-number", "captureSecurityCode,security-code",
            "captureExpirationDate,expiration-date", "capturePostalCode,postal-code",
            "captureBankRoutingNumber,bank-routing-number", "captureBankAccountNumber,bank-account-number"})
    void eachCaptureToolAsksTwilioForItsField(String tool, String capture) {
        String paymentSid = startSession();
        CallToolResult result = gateway.call(tool, Map.of("callSid", CALL, "paymentSid", paymentSid, "waitSeconds", 0));
        JsonNode body = GatewayFixture.body(result);
        assertThat(result.isError()).as(body.toString()).isFalse();
        assertThat(body.path("capture").asText()).isEqualTo(capture);
        assertThat(body.path("outcome").asText()).isEqualTo("accepted");
        assertThat(body.path("nextAction").asText())
                .contains("getPaymentStatus (callSid=" + CALL + ", paymentSid=" + paymentSid + ", waitSeconds=25)")
                .contains("payment://" + CALL + "/" + paymentSid + "/status");
        PaySimulator.Recorded update = posts().get(1);
        assertThat(update.path()).endsWith("/Payments/" + paymentSid + ".json");
        assertThat(update.params()).containsEntry("Capture", capture).doesNotContainKey("Status");
    }

    @Test
    void aFieldCanBeRecapturedAnyNumberOfTimesEachWithItsOwnKey() {
        String paymentSid = startSession();
        for (int i = 0; i < 3; i++) {
            assertThat(gateway.call("captureCardNumber", Map.of("callSid", CALL, "paymentSid", paymentSid)).isError()).isFalse();
        }
        List<String> keys = posts().subList(1, 4).stream().map(r -> r.params().get("IdempotencyKey")).toList();
        assertThat(keys).doesNotHaveDuplicates().hasSize(3);
    }

    @Test
    void aRetriedServerErrorReusesTheSameIdempotencyKey() {
        String paymentSid = startSession();
        gateway.twilio.inject(Fault.status(500, 20500, "Internal Server Error"));
        CallToolResult result = gateway.call("captureCardNumber", Map.of("callSid", CALL, "paymentSid", paymentSid));
        assertThat(result.isError()).isFalse();
        List<PaySimulator.Recorded> updates = posts().subList(1, posts().size());
        assertThat(updates).hasSize(2);
        assertThat(updates.get(0).params().get("IdempotencyKey")).isEqualTo(updates.get(1).params().get("IdempotencyKey"));
    }

    @Test
    void aRateLimitIsRetriedThenReportedWithANextStep() {
        String paymentSid = startSession();
        gateway.twilio.inject(new Fault(429, 20429, "Too Many Requests", 0, 0), new Fault(429, 20429, "Too Many Requests", 0, 0));
        assertThat(gateway.call("captureCardNumber", Map.of("callSid", CALL, "paymentSid", paymentSid)).isError()).isFalse();
        gateway.twilio.inject(new Fault(429, 20429, "Too Many Requests", 0, 0), new Fault(429, 20429, "Too Many Requests", 0, 0),
                new Fault(429, 20429, "Too Many Requests", 0, 0), new Fault(429, 20429, "Too Many Requests", 0, 0));
        CallToolResult limited = gateway.call("captureCardNumber", Map.of("callSid", CALL, "paymentSid", paymentSid));
        assertThat(limited.isError()).isTrue();
        assertThat(GatewayFixture.body(limited).path("error").asText()).isEqualTo("rate-limited");
        assertThat(GatewayFixture.body(limited).path("nextStep").asText()).contains("Nothing already captured is lost");
    }

    @Test
    void persistentServerErrorsEndInAClearResultAndKeepTheSession() {
        String paymentSid = startSession();
        for (int i = 0; i < 4; i++) {
            gateway.twilio.inject(Fault.status(503, 20503, "Service Unavailable"));
        }
        CallToolResult result = gateway.call("captureSecurityCode", Map.of("callSid", CALL, "paymentSid", paymentSid));
        assertThat(result.isError()).isTrue();
        assertThat(GatewayFixture.body(result).path("error").asText()).isEqualTo("twilio-unavailable");
        assertThat(gateway.store.find(paymentSid)).isPresent();
    }

    @Test
    void cardNumbersInTwilioErrorMessagesNeverReachTheModel() {
        String paymentSid = startSession();
        gateway.twilio.inject(Fault.status(400, 64020, "Invalid parameter: card 4111 1111 1111 1111 rejected"));
        CallToolResult result = gateway.call("captureCardNumber", Map.of("callSid", CALL, "paymentSid", paymentSid));
        String text = GatewayFixture.body(result).toString();
        assertThat(result.isError()).isTrue();
        assertThat(text.replaceAll("[ -]", "")).doesNotContain("4111111111111111").contains("xxxxxxxxxxxx1111");
    }

    @Test
    void aFailedCaptureKeepsWhatWasAlreadyCaptured() {
        String paymentSid = startSession();
        assertThat(gateway.call("captureCardNumber", Map.of("callSid", CALL, "paymentSid", paymentSid)).isError()).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() ->
                gateway.store.find(paymentSid).orElseThrow().state() == PaymentState.FIELD_COMPLETE);
        for (int i = 0; i < 4; i++) {
            gateway.twilio.inject(Fault.status(500, 20500, "Internal Server Error"));
        }
        assertThat(gateway.call("captureSecurityCode", Map.of("callSid", CALL, "paymentSid", paymentSid)).isError()).isTrue();
        var status = gateway.store.find(paymentSid).orElseThrow();
        assertThat(status.value(io.agentpay.gateway.state.PaymentField.PAYMENT_CARD_NUMBER)).isEqualTo("xxxxxxxxxxxx1111");
        assertThat(status.state()).isEqualTo(PaymentState.FIELD_COMPLETE);
        assertThat(status.capture()).isEqualTo(io.agentpay.gateway.state.CaptureField.PAYMENT_CARD_NUMBER);
    }

    @Test
    void anUnreachableTwilioEndsTheCallWithinTheRetryBudget() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        PaySimulator.Credentials c = gateway.twilio.credentials();
        TwilioAgentPaymentServer offline = new TwilioAgentPaymentServer(c.accountSid(), c.apiKey(), c.apiSecret(),
                new TwilioAgentPaymentServer.Options("reusable", "USD", "Default", java.net.URI.create("http://localhost:" + closedPort),
                        () -> java.net.URI.create(gateway.publicBase + "/callbacks/x"), gateway.store, Duration.ofMillis(500), 3,
                        Duration.ofMillis(20)));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> offline.start(new StartRequest(CALL, null, null, null, null,
                        false, true, null)))
                .isInstanceOf(PaymentException.class)
                .satisfies(e -> assertThat(((PaymentException) e).kind()).isEqualTo("twilio-unreachable"))
                .hasMessageContaining("after 4 attempts");
    }

    @Test
    void aCaptureTwilioAppliedButNeverAnsweredIsReportedAndKeepsTheCallbacksThatArrived() {
        String paymentSid = startSession();
        // Every answer comes after the 500 ms timeout, but the first request is applied: the caller keys the card.
        for (int i = 0; i < 4; i++) {
            gateway.twilio.inject(Fault.delay(900));
        }
        CallToolResult result = gateway.call("captureCardNumber", Map.of("callSid", CALL, "paymentSid", paymentSid));
        assertThat(result.isError()).isTrue();
        assertThat(GatewayFixture.body(result).path("error").asText()).isEqualTo("twilio-unreachable");
        assertThat(GatewayFixture.body(result).path("message").asText()).contains("no answer within 500 ms");
        await().atMost(Duration.ofSeconds(5)).until(() ->
                gateway.store.find(paymentSid).orElseThrow().state() == PaymentState.FIELD_COMPLETE);
        var status = gateway.store.find(paymentSid).orElseThrow();
        assertThat(status.capture()).isEqualTo(io.agentpay.gateway.state.CaptureField.PAYMENT_CARD_NUMBER);
        assertThat(status.required()).doesNotContain(io.agentpay.gateway.state.CaptureField.PAYMENT_CARD_NUMBER);
        assertThat(io.agentpay.gateway.state.NextAction.describe(status)).doesNotContain("captureCardNumber");
    }

    @Test
    void rejectedCredentialsSayWhatToCheckWithoutEchoingTheSecret() {
        gateway.twilio.inject(Fault.status(401, 20003, "Authenticate"));
        CallToolResult result = gateway.call("startPaymentCapture", Map.of("callSid", CALL));
        JsonNode body = GatewayFixture.body(result);
        assertThat(result.isError()).isTrue();
        assertThat(body.path("error").asText()).isEqualTo("twilio-authentication");
        assertThat(body.path("twilioCode").asInt()).isEqualTo(20003);
        assertThat(body.toString()).doesNotContain(gateway.twilio.credentials().apiSecret());
    }

    @Test
    void anUnknownPaymentIsNotFound() {
        CallToolResult result = gateway.call("captureCardNumber", Map.of("callSid", CALL, "paymentSid",
                "PK00000000000000000000000000000000"));
        assertThat(result.isError()).isTrue();
        assertThat(GatewayFixture.body(result).path("error").asText()).isEqualTo("not-found");
    }

    @Test
    void malformedSidsAreRefusedWithoutCallingTwilio() {
        CallToolResult result = gateway.call("captureCardNumber", Map.of("callSid", "CA123", "paymentSid",
                "PK00000000000000000000000000000000"));
        JsonNode body = GatewayFixture.body(result);
        assertThat(result.isError()).isTrue();
        assertThat(body.path("message").asText()).contains("'callSid'").contains("'CA' followed by 32 hex characters");
        CallToolResult extra = gateway.call("startPaymentCapture", Map.of("callSid", CALL, "cardNumber", "4111111111111111"));
        assertThat(GatewayFixture.body(extra).path("message").asText()).contains("Unknown argument 'cardNumber'")
                .doesNotContain("4111111111111111");
        CallToolResult amount = gateway.call("startPaymentCapture", Map.of("callSid", CALL, "chargeAmount", "$25"));
        assertThat(GatewayFixture.body(amount).path("message").asText()).contains("'chargeAmount'");
        assertThat(gateway.twilio.requests()).isEmpty();
    }

    @Test
    void cardDataInAnArgumentNameOrFreeTextIsRefusedAndNeverEchoed() throws Exception {
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.err;
        System.setErr(new java.io.PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8));
        List<CallToolResult> results;
        try {
            results = List.of(
                    gateway.call("startPaymentCapture", Map.of("callSid", CALL, "4111111111111111", 1)),
                    gateway.call("captureCardNumber", Map.of("callSid", CALL, "paymentSid", "PK00000000000000000000000000000000",
                            "cvv 737", true)),
                    gateway.call("startPaymentCapture", Map.of("callSid", CALL, "description", "card 4111 1111 1111 1111 cvv 737")),
                    gateway.call("startPaymentCapture", Map.of("callSid", CALL, "description", "Order 1042, security code: 1234")));
            gateway.log.awaitIdle(2, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            System.setErr(original);
        }
        for (CallToolResult result : results) {
            JsonNode body = GatewayFixture.body(result);
            assertThat(result.isError()).isTrue();
            assertThat(body.path("error").asText()).isEqualTo("invalid-argument");
            assertThat(body.path("message").asText()).contains("Card data does not belong in tool arguments")
                    .contains("keys it on the phone keypad");
            assertThat(body.toString()).doesNotContain("4111", "737", "1234");
        }
        assertThat(stderr.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("Card data does not belong")
                .doesNotContain("4111", "737", "1234");
        assertThat(gateway.twilio.requests()).isEmpty();
    }

    @Test
    void aCallThatHasEndedIsExplained() {
        CallToolResult result = gateway.call("startPaymentCapture", Map.of("callSid", "CAfedcba9876543210fedcba9876540009"));
        assertThat(result.isError()).isTrue();
        assertThat(GatewayFixture.body(result).path("error").asText()).isEqualTo("call-not-in-progress");
        assertThat(GatewayFixture.body(result).path("message").asText()).contains("hung up");
    }

    @Test
    void aSecondSessionOnTheSameCallIsRefusedWithTheOpenOne() {
        String paymentSid = startSession();
        CallToolResult second = gateway.call("startPaymentCapture", Map.of("callSid", CALL));
        assertThat(second.isError()).isTrue();
        assertThat(GatewayFixture.body(second).path("nextStep").asText()).contains(paymentSid);
    }

    @Test
    void aWholePaymentRunsFromStartToCompletion() {
        String paymentSid = startSession();
        String[] tools = {"captureCardNumber", "captureSecurityCode", "captureExpirationDate"};
        for (String tool : tools) {
            assertThat(gateway.call(tool, Map.of("callSid", CALL, "paymentSid", paymentSid)).isError()).isFalse();
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                PaymentState s = gateway.store.find(paymentSid).orElseThrow().state();
                return s == PaymentState.FIELD_COMPLETE || s == PaymentState.READY_TO_COMPLETE;
            });
        }
        assertThat(gateway.call("completePaymentCapture", Map.of("callSid", CALL, "paymentSid", paymentSid)).isError()).isFalse();
        assertThat(posts().get(posts().size() - 1).params()).containsEntry("Status", "complete");
        await().atMost(Duration.ofSeconds(5)).until(() ->
                gateway.store.find(paymentSid).orElseThrow().state() == PaymentState.COMPLETED);
    }

    @Test
    void completingWithFieldsMissingSaysWhatToDo() {
        String paymentSid = startSession();
        CallToolResult result = gateway.call("completePaymentCapture", Map.of("callSid", CALL, "paymentSid", paymentSid));
        assertThat(result.isError()).isTrue();
        assertThat(GatewayFixture.body(result).path("twilioCode").asInt()).isEqualTo(64019);
        assertThat(GatewayFixture.body(result).path("nextStep").asText()).contains("required");
    }

    @Test
    void cancelEndsTheSession() {
        String paymentSid = startSession();
        CallToolResult result = gateway.call("cancelPaymentCapture", Map.of("callSid", CALL, "paymentSid", paymentSid));
        assertThat(GatewayFixture.body(result).path("state").asText()).isEqualTo("cancelled");
        assertThat(posts().get(1).params()).containsEntry("Status", "cancel");
        CallToolResult after = gateway.call("captureCardNumber", Map.of("callSid", CALL, "paymentSid", paymentSid));
        assertThat(GatewayFixture.body(after).path("error").asText()).isEqualTo("session-finished");
    }

    @Test
    void aDroppedTunnelRefusesANewPaymentWithoutCallingTwilioButLetsAnOpenOneBeSteered() {
        String paymentSid = startSession();
        long before = gateway.twilio.requestCount();
        gateway.reachability = new Reachability(Reachability.State.UNREACHABLE,
                "https://pay.example.com does not reach this server's callback endpoint: cannot connect. Check the proxy.",
                Instant.now(), true, false);

        CallToolResult refused = gateway.call("startPaymentCapture", Map.of("callSid", "CA0123456789abcdef0123456789abcdef"));
        JsonNode body = GatewayFixture.body(refused);
        assertThat(refused.isError()).isTrue();
        assertThat(body.path("error").asText()).isEqualTo("callbacks-unreachable");
        assertThat(body.path("message").asText()).contains("cannot reach this server").contains("Check the proxy.");
        assertThat(body.path("nextStep").asText()).contains("startPaymentCapture again");
        assertThat(gateway.twilio.requestCount()).isEqualTo(before);

        CallToolResult steered = gateway.call("captureCardNumber", Map.of("callSid", CALL, "paymentSid", paymentSid));
        assertThat(steered.isError()).isFalse();
        assertThat(GatewayFixture.body(steered).path("warning").asText())
                .contains("cannot reach this server right now").contains("cancelPaymentCapture");
        CallToolResult cancelled = gateway.call("cancelPaymentCapture", Map.of("callSid", CALL, "paymentSid", paymentSid));
        assertThat(cancelled.isError()).isFalse();
    }

    @Test
    void aUrlThatWasNeverConfirmedOnlyWarns() {
        gateway.reachability = new Reachability(Reachability.State.UNREACHABLE,
                "https://pay.example.com does not reach this server's callback endpoint: cannot connect.", Instant.now(), false, false);
        CallToolResult started = gateway.call("startPaymentCapture", Map.of("callSid", CALL));
        assertThat(started.isError()).isFalse();
        assertThat(GatewayFixture.body(started).path("warning").asText()).contains("could not be confirmed");
    }

    @Test
    void aUrlAnsweredByAnotherServerRefusesNewPayments() {
        gateway.reachability = new Reachability(Reachability.State.UNREACHABLE,
                "https://pay.example.com does not reach this server's callback endpoint: it answers HTTP 404.", Instant.now(),
                false, true);
        CallToolResult refused = gateway.call("startPaymentCapture", Map.of("callSid", CALL));
        assertThat(refused.isError()).isTrue();
        assertThat(GatewayFixture.body(refused).path("error").asText()).isEqualTo("callbacks-unreachable");
        assertThat(gateway.twilio.requests()).isEmpty();
    }

    @Test
    void aNewPaymentWaitsForTheFirstCheckAndIsRefusedWhenTheUrlReachesAnotherInstance() throws Exception {
        var otherInstance = new io.agentpay.gateway.callback.CallbackServer(new io.agentpay.gateway.state.PaymentStore(
                Duration.ofHours(1)), gateway.log, new io.agentpay.gateway.callback.CallbackAuth(
                io.agentpay.gateway.callback.CallbackAuth.newSecret(), null), io.agentpay.gateway.json.Json.MAPPER);
        int otherPort = otherInstance.start("127.0.0.1", 0);
        var tunnel = new io.agentpay.gateway.tunnel.PublicUrlTunnel(java.net.URI.create("http://127.0.0.1:" + otherPort), 0);
        try (otherInstance; var monitor = new io.agentpay.gateway.tunnel.TunnelMonitor(tunnel,
                gateway.callbacks.callbackPath(), Duration.ofSeconds(15), Duration.ofSeconds(2), gateway.log)) {
            var context = new io.agentpay.gateway.mcp.ServerContext(gateway.store, gateway.log,
                    java.util.concurrent.CompletableFuture.completedFuture(gateway.payments), false, Duration.ofSeconds(1),
                    monitor::reachability);
            var start = io.agentpay.gateway.mcp.ToolResults.guarded(
                    new io.agentpay.gateway.mcp.tools.StartPaymentCaptureTool(context), gateway.log);
            monitor.start();
            CallToolResult refused = start.apply(null, new io.modelcontextprotocol.spec.McpSchema.CallToolRequest(
                    "startPaymentCapture", Map.of("callSid", CALL)));
            assertThat(refused.isError()).as(GatewayFixture.body(refused).toString()).isTrue();
            assertThat(GatewayFixture.body(refused).path("error").asText()).isEqualTo("callbacks-unreachable");
            assertThat(GatewayFixture.body(refused).path("message").asText()).contains("HTTP 404");
            assertThat(gateway.twilio.requests()).isEmpty();
        }
    }

    @Test
    void aReachableUrlAddsNoWarning() {
        String paymentSid = startSession();
        CallToolResult captured = gateway.call("captureCardNumber", Map.of("callSid", CALL, "paymentSid", paymentSid));
        assertThat(GatewayFixture.body(captured).has("warning")).isFalse();
    }
}
