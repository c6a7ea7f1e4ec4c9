package io.agentpay.gateway.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.PaymentField;
import io.agentpay.gateway.state.PaymentStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A payment status as stored in Redis and published to the other instances: every field by name,
 * instants as ISO-8601. What it holds is already masked (card data never gets into a status).
 */
final class StatusCodec {
    private final ObjectMapper json;

    StatusCodec(ObjectMapper json) {
        this.json = json;
    }

    String encode(PaymentStatus s) {
        ObjectNode node = json.createObjectNode();
        node.put("paymentSid", s.paymentSid());
        node.put("callSid", s.callSid());
        ObjectNode values = node.putObject("values");
        s.values().forEach((field, value) -> values.put(field.name(), value));
        node.put("capture", s.capture() == null ? null : s.capture().name());
        if (s.required() != null) {
            ArrayNode required = node.putArray("required");
            s.required().forEach(field -> required.add(field.name()));
        }
        node.put("partialResult", s.partialResult());
        node.put("errorType", s.errorType());
        node.put("completeRequested", s.completeRequested());
        node.put("cancelRequested", s.cancelRequested());
        node.put("lastTwilioTime", s.lastTwilioTime() == null ? null : s.lastTwilioTime().toString());
        node.put("createdAt", s.createdAt().toString());
        node.put("updatedAt", s.updatedAt().toString());
        ArrayNode deliveries = node.putArray("recentDeliveries");
        s.recentDeliveries().forEach(deliveries::add);
        node.put("version", s.version());
        return node.toString();
    }

    PaymentStatus decode(String text) {
        JsonNode n;
        try {
            n = json.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("A stored payment session is not valid JSON", e);
        }
        Map<PaymentField, String> values = new EnumMap<>(PaymentField.class);
        n.path("values").fields().forEachRemaining(e -> values.put(PaymentField.valueOf(e.getKey()), e.getValue().asText()));
        List<CaptureField> required = null;
        if (n.hasNonNull("required")) {
            required = new ArrayList<>();
            for (JsonNode field : n.get("required")) {
                required.add(CaptureField.valueOf(field.asText()));
            }
        }
        List<String> deliveries = new ArrayList<>();
        n.path("recentDeliveries").forEach(d -> deliveries.add(d.asText()));
        return new PaymentStatus(n.path("paymentSid").asText(), n.path("callSid").asText(), values,
                n.hasNonNull("capture") ? CaptureField.valueOf(n.get("capture").asText()) : null, required,
                n.path("partialResult").asBoolean(), n.hasNonNull("errorType") ? n.get("errorType").asText() : null,
                n.path("completeRequested").asBoolean(), n.path("cancelRequested").asBoolean(),
                instant(n, "lastTwilioTime"), instant(n, "createdAt"), instant(n, "updatedAt"), deliveries,
                n.path("version").asLong());
    }

    private static Instant instant(JsonNode n, String name) {
        return n.hasNonNull(name) ? Instant.parse(n.get(name).asText()) : null;
    }
}
