package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.StatusView;
import io.agentpay.gateway.mcp.ToolArgs;
import io.agentpay.gateway.mcp.ToolProgress;
import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.NextAction;
import io.agentpay.gateway.state.PaymentField;
import io.agentpay.gateway.state.PaymentState;
import io.agentpay.gateway.state.PaymentStatus;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.ToolAnnotations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/** Schema fragments, annotations and result shapes the payment tools share. */
final class ToolSchemas {
    static final McpJsonMapper MAPPER = Json.MCP;

    /** How long capture and completion tools wait by default: well under the 60 s request time-out of most hosts. */
    static final int DEFAULT_WAIT_SECONDS = 25;
    static final int MAX_WAIT_SECONDS = 50;

    static final String CALL_SID = """
            "callSid": {"type": "string", "pattern": "^CA[0-9a-fA-F]{32}$",
              "description": "SID of the live call, 'CA' + 32 hex characters: the caller's (PSTN) leg, or an agent's SIP or client leg bridged to it (the payment then runs on the caller's leg)."}""";

    static final String PAYMENT_SID = """
            "paymentSid": {"type": "string", "pattern": "^PK[0-9a-fA-F]{32}$",
              "description": "SID of the payment session returned by startPaymentCapture, 'PK' + 32 hex characters."}""";

    static final String SESSION_SCHEMA = "{\"type\": \"object\", \"additionalProperties\": false, "
            + "\"required\": [\"callSid\", \"paymentSid\"], \"properties\": {" + CALL_SID + ", " + PAYMENT_SID + "}}";

    /** A capture tool's second entry of a field keyed twice ({@code requireMatchingInputs}). */
    static final String SECOND_ENTRY = "\"secondEntry\": {\"type\": \"boolean\", \"description\": \"true asks for the second "
            + "entry of a field listed in startPaymentCapture's requireMatchingInputs (Twilio's <field>-matcher), once the first "
            + "entry is captured. Default false.\"}";

    /** callSid, paymentSid and waitSeconds with {@code defaultWait} and what the wait is for. */
    static String waitingSessionSchema(int defaultWait, String waitsFor) {
        return waitingSessionSchema(defaultWait, waitsFor, false);
    }

    /** The same, plus {@code secondEntry} for a field the caller may be asked to key twice. */
    static String waitingSessionSchema(int defaultWait, String waitsFor, boolean secondEntry) {
        return "{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"callSid\", \"paymentSid\"], "
                + "\"properties\": {" + CALL_SID + ", " + PAYMENT_SID + ", \"waitSeconds\": {\"type\": \"integer\", "
                + "\"minimum\": 0, \"maximum\": " + MAX_WAIT_SECONDS + ", \"default\": " + defaultWait + ", \"description\": "
                + Json.write("Seconds to wait (0-" + MAX_WAIT_SECONDS + ", default " + defaultWait + ") for " + waitsFor
                + "; the result comes back as soon as it is known. 0 returns at once.") + "}"
                + (secondEntry ? ", " + SECOND_ENTRY : "") + "}}";
    }

    /** What every tool result may say about how the wait ended. */
    static final List<String> OUTCOMES = List.of("accepted", "started", "caller-keying", "captured", "refused",
            "ready-to-complete", "processing", "completed", "failed", "cancelled");

    private ToolSchemas() {}

    /** Start and capture tools: they act on Twilio (open world) but change nothing that cannot be redone. */
    static ToolAnnotations steering(String title) {
        return new ToolAnnotations(title, false, false, false, true, null);
    }

    /**
     * The output schema of every payment tool (JSON Schema 2020-12): the status object of
     * {@code payment://{callSid}/{paymentSid}/status}, plus {@code statusResource}, {@code outcome}
     * and, when it failed, {@code failureReason}; {@code extra} adds the tool's own fields.
     */
    static Map<String, Object> outputSchema(Map<String, Object> extra) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("paymentSid", Map.of("type", "string", "pattern", "^PK[0-9a-fA-F]{32}$"));
        properties.put("callSid", Map.of("type", "string", "pattern", "^CA[0-9a-fA-F]{32}$"));
        properties.put("state", Map.of("type", "string", "enum", Arrays.stream(PaymentState.values()).map(PaymentState::wire).toList(),
                "description", "Where the payment stands."));
        List<Object> fields = new ArrayList<>(Arrays.stream(CaptureField.values()).map(CaptureField::wire).toList());
        fields.add(null);
        properties.put("capture", Map.of("type", List.of("string", "null"), "enum", fields,
                "description", "The field being (or last) captured."));
        properties.put("required", Map.of("type", List.of("array", "null"), "items", Map.of("type", "string",
                "enum", fields.subList(0, fields.size() - 1)), "description", "Fields still to capture; empty when ready to complete."));
        properties.put("partialResult", Map.of("type", "boolean"));
        properties.put("errorType", Map.of("type", List.of("string", "null"),
                "description", "Why Twilio refused the field being captured, e.g. invalid-card-number."));
        properties.put("nextAction", Map.of("type", "string", "description", "What to say or call next."));
        for (PaymentField field : PaymentField.ALL) {
            properties.put(field.json(), Map.of("type", List.of("string", "null")));
        }
        properties.put("updatedAt", Map.of("type", "string", "format", "date-time"));
        properties.put("sandbox", Map.of("type", "string"));
        properties.put("warning", Map.of("type", "string"));
        properties.put("statusResource", Map.of("type", "string", "pattern", "^payment://CA[0-9a-fA-F]{32}/PK[0-9a-fA-F]{32}/status$",
                "description", "The status resource of this payment, for hosts that let the model read or subscribe to it."));
        properties.put("outcome", Map.of("type", "string", "enum", OUTCOMES, "description",
                "How the wait ended: accepted (Twilio took the request, not waited), caller-keying or processing (still "
                        + "going at the deadline), captured, refused (see errorType), ready-to-complete, completed, failed "
                        + "(see failureReason), cancelled, started."));
        properties.put("failureReason", Map.of("type", "string", "description", "Why the payment failed."));
        properties.putAll(ordered(extra));
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.put("type", "object");
        schema.put("required", List.of("paymentSid", "callSid", "state", "nextAction", "statusResource", "outcome"));
        schema.put("properties", properties);
        schema.put("additionalProperties", false);
        return ordered(schema);
    }

    /**
     * The same value with every map in a fixed order: maps that keep an order keep it, the others ({@code Map.of},
     * whose order changes from one JVM run to the next) are sorted by key. The tools' schemas are then the same bytes
     * in every run, which the pre-rendered {@code tools/list} answer ({@code EarlyAnswers}) relies on.
     */
    static Map<String, Object> ordered(Map<?, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        (map instanceof LinkedHashMap || map instanceof SortedMap ? map.keySet().stream() : map.keySet().stream().sorted())
                .forEach(key -> copy.put((String) key, ordered(map.get(key))));
        return copy;
    }

    private static Object ordered(Object value) {
        if (value instanceof Map<?, ?> map) {
            return ordered(map);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(item -> copy.add(ordered(item)));
            return copy;
        }
        return value;
    }

    static Map<String, Object> outputSchema() {
        return outputSchema(Map.of());
    }

    /** The outcome of a wait, as the {@code outcome} field names it. */
    static String outcome(PaymentStatus s, boolean accepted) {
        return switch (s.state()) {
            case COMPLETED, FAILED, CANCELLED, STARTED -> s.state().wire();
            case CAPTURING -> s.errorType() != null ? "refused" : accepted ? "accepted" : "caller-keying";
            case FIELD_COMPLETE -> "captured";
            case READY_TO_COMPLETE -> !s.completeRequested() ? "ready-to-complete" : accepted ? "accepted" : "processing";
        };
    }

    /**
     * Waits up to the call's {@code waitSeconds} (or {@code defaultWait}) for the payment to need
     * the agent again, reporting each change as progress.
     */
    static PaymentStatus awaitAgent(ServerContext context, PaymentStatus status, int seconds, ToolProgress progress) {
        if (seconds == 0) {
            return status;
        }
        return context.waiter().await(status, s -> !NextAction.waitingOnCaller(s), Duration.ofSeconds(seconds),
                change -> progress.report(NextAction.progress(change)));
    }

    static int waitSeconds(ToolArgs args, int defaultWait) {
        return args.optionalInteger("waitSeconds", 0, MAX_WAIT_SECONDS, defaultWait);
    }

    /** The status object, where to follow it, how the wait ended and, when it failed, why. */
    static Map<String, Object> view(PaymentStatus status, ServerContext context, boolean accepted) {
        Map<String, Object> view = StatusView.of(status, context);
        view.put("statusResource", status.statusUri());
        view.put("outcome", outcome(status, accepted));
        String reason = NextAction.failureReason(status);
        if (reason != null) {
            view.put("failureReason", reason);
        }
        return view;
    }
}
