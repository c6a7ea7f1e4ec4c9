package io.agentpay.gateway.mcp.resources;

import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.ResourceFactory;
import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.StatusView;
import io.agentpay.gateway.state.PaymentStatus;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceResult;
import io.modelcontextprotocol.spec.McpSchema.ResourceTemplate;
import io.modelcontextprotocol.spec.McpSchema.TextResourceContents;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The live state of one payment session, fed by Twilio's callbacks: {@code payment://{callSid}/{paymentSid}/status}. */
public final class PaymentStatusResource implements ResourceFactory {
    public static final String URI_TEMPLATE = "payment://{callSid}/{paymentSid}/status";
    private static final Pattern URI = Pattern.compile("payment://(CA[0-9a-fA-F]{32})/(PK[0-9a-fA-F]{32})/status");

    private final ServerContext context;

    public PaymentStatusResource(ServerContext context) {
        this.context = context;
    }

    @Override
    public ResourceTemplate template() {
        return ResourceTemplate.builder()
                .uriTemplate(URI_TEMPLATE)
                .name("PaymentStatus")
                .title("Payment session status")
                .description("Current state of a payment session as JSON: state (started, capturing, field-complete, "
                        + "ready-to-complete, completed, cancelled, failed), the field being captured, the fields still "
                        + "required, errorType, masked card data (last four digits at most), the token or confirmation code "
                        + "and nextAction, a sentence saying what to do next. Subscribe to be told of every change.")
                .mimeType("application/json")
                .build();
    }

    @Override
    public ReadResourceResult read(String uri) {
        Matcher match = URI.matcher(uri == null ? "" : uri);
        if (!match.matches()) {
            throw McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS)
                    .message("Resource URI must be payment://{callSid}/{paymentSid}/status with a call SID ('CA' + 32 hex) "
                            + "and a payment SID ('PK' + 32 hex), as returned by startPaymentCapture.")
                    .build();
        }
        String callSid = match.group(1);
        String paymentSid = match.group(2);
        PaymentStatus status = context.store().find(paymentSid)
                .filter(s -> s.callSid() == null || s.callSid().equals(callSid))
                .orElseThrow(() -> McpError.builder(McpSchema.ErrorCodes.RESOURCE_NOT_FOUND)
                        .message("No payment " + paymentSid + " on call " + callSid + " is known to this server. Use the "
                                + "statusResource returned by startPaymentCapture; sessions are forgotten after they have "
                                + "been idle for the configured time to live.")
                        .data(Map.of("uri", uri))
                        .build());
        Map<String, Object> view = StatusView.of(status, context);
        return new ReadResourceResult(List.of(new TextResourceContents(uri, "application/json", Json.write(view))));
    }
}
