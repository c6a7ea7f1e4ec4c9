package io.agentpay.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.callback.CallbackAuth;
import io.agentpay.gateway.callback.CallbackServer;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.ComponentScan;
import io.agentpay.gateway.mcp.McpLog;
import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.ToolFactory;
import io.agentpay.gateway.mcp.ToolResults;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.state.PaymentState;
import io.agentpay.gateway.state.PaymentStatus;
import io.agentpay.gateway.state.PaymentStore;
import io.agentpay.gateway.tunnel.Reachability;
import io.agentpay.gateway.twilio.TwilioAgentPaymentServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The server's parts wired as in production, in one process: the real Twilio SDK talks over HTTP
 * to the Pay simulator (our Twilio emulator), which posts signed callbacks to the real Javalin
 * endpoint; tools are the discovered classes, called through the same error wrapper.
 */
public final class GatewayFixture implements AutoCloseable {
    public final PaySimulator twilio;
    public final PaymentStore store = new PaymentStore(Duration.ofHours(1));
    public final McpLog log = new McpLog();
    public final CallbackServer callbacks;
    public final TwilioAgentPaymentServer payments;
    public final ServerContext context;
    public final ComponentScan.Components components;
    public final String publicBase;
    /** What the tools are told about callback reachability; tests set it to simulate a dropped tunnel. */
    public volatile Reachability reachability = new Reachability(Reachability.State.REACHABLE, "", Instant.now(), true, false);

    public GatewayFixture(Duration keyDelay, Duration twilioTimeout) throws Exception {
        twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), keyDelay);
        CallbackAuth auth = new CallbackAuth(CallbackAuth.newSecret(), twilio.credentials().authToken());
        callbacks = new CallbackServer(store, log, auth, Json.MAPPER);
        int port = callbacks.start("127.0.0.1", 0);
        publicBase = "http://localhost:" + port;
        callbacks.publicBaseUrl(() -> publicBase);
        PaySimulator.Credentials c = twilio.credentials();
        payments = new TwilioAgentPaymentServer(c.accountSid(), c.apiKey(), c.apiSecret(),
                new TwilioAgentPaymentServer.Options("reusable", "USD", "Default", twilio.baseUrl(),
                        () -> URI.create(publicBase + callbacks.callbackPath()), store, twilioTimeout, 3, Duration.ofMillis(20)));
        context = new ServerContext(store, log, CompletableFuture.completedFuture(payments), false, Duration.ofSeconds(1),
                () -> reachability);
        ClassLoader loader = getClass().getClassLoader();
        components = ComponentScan.build(ComponentScan.discover(loader), context, loader);
    }

    public GatewayFixture() throws Exception {
        this(Duration.ofMillis(20), Duration.ofSeconds(2));
    }

    public ToolFactory tool(String name) {
        return components.tools().stream().filter(t -> t.tool().name().equals(name)).findFirst().orElseThrow();
    }

    /** Calls a tool the way the MCP server does, returning its result. */
    public McpSchema.CallToolResult call(String name, Map<String, Object> args) {
        ToolFactory tool = tool(name);
        return ToolResultCheck.check(tool.tool(), ToolResults.guarded(tool, log).apply(null, new McpSchema.CallToolRequest(name, args)));
    }

    /** Calls a tool by some route (in-process or over stdio) and returns its JSON result, failing on an error result. */
    @FunctionalInterface
    public interface ToolCaller {
        JsonNode call(String tool, Map<String, Object> arguments) throws Exception;
    }

    /**
     * Runs a whole card payment on {@code callSid} through the tools called in-process, each
     * capture answered by the simulated caller's callbacks; returns its final (completed) status.
     */
    public PaymentStatus completeAPayment(String callSid) throws Exception {
        return completeAPayment(callSid, (tool, arguments) -> {
            McpSchema.CallToolResult result = call(tool, arguments);
            if (Boolean.TRUE.equals(result.isError())) {
                throw new AssertionError(tool + " failed: " + body(result));
            }
            return body(result);
        });
    }

    /** The same, with the tools called through {@code tools}. */
    public PaymentStatus completeAPayment(String callSid, ToolCaller tools) throws Exception {
        String paymentSid = tools.call("startPaymentCapture", Map.of("callSid", callSid, "chargeAmount", "5.00"))
                .path("paymentSid").asText();
        Map<String, Object> session = Map.of("callSid", callSid, "paymentSid", paymentSid);
        for (String tool : java.util.List.of("captureCardNumber", "captureSecurityCode", "captureExpirationDate",
                "completePaymentCapture")) {
            tools.call(tool, session);
            PaymentState wanted = tool.startsWith("complete") ? PaymentState.COMPLETED : null;
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store.find(paymentSid)
                    .map(s -> wanted != null ? s.state() == wanted : !s.partialResult()
                            && (s.state() == PaymentState.FIELD_COMPLETE || s.state() == PaymentState.READY_TO_COMPLETE))
                    .orElse(false));
        }
        return store.find(paymentSid).orElseThrow();
    }

    public static JsonNode body(McpSchema.CallToolResult result) {
        try {
            return Json.MAPPER.readTree(((McpSchema.TextContent) result.content().get(0)).text());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        callbacks.close();
        twilio.close();
        log.close();
    }
}
