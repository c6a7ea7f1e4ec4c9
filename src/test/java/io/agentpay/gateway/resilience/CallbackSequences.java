package io.agentpay.gateway.resilience;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Twilio's callbacks for whole payments, as the load tests post them: form fields plus an idempotency token. */
public final class CallbackSequences {
    /** The key under which each callback carries its I-Twilio-Idempotency-Token (not a form field). */
    public static final String TOKEN = "#token";

    private CallbackSequences() {}

    /** The callbacks of one complete payment, in Twilio's order, with partial results along the way; a second apart from {@code t0}. */
    public static List<Map<String, String>> payment(String callSid, String paymentSid, Instant t0, String confirmation) {
        List<Map<String, String>> out = new ArrayList<>();
        out.add(fields(callSid, paymentSid, t0, 0, "DateCreated", t0.toString(), "PaymentMethod", "credit-card"));
        out.add(fields(callSid, paymentSid, t0, 1, "Capture", "payment-card-number",
                "Required", "payment-card-number,security-code,expiration-date", "PartialResult", "true",
                "PaymentCardNumber", "xxxxxxxx"));
        out.add(fields(callSid, paymentSid, t0, 2, "Capture", "payment-card-number", "Required", "security-code,expiration-date",
                "PartialResult", "false", "PaymentCardNumber", "xxxxxxxxxxxx4242", "PaymentCardType", "visa"));
        out.add(fields(callSid, paymentSid, t0, 3, "Capture", "security-code", "Required", "security-code,expiration-date",
                "PartialResult", "true"));
        out.add(fields(callSid, paymentSid, t0, 4, "Capture", "security-code", "Required", "expiration-date",
                "PartialResult", "false", "SecurityCode", "xxx"));
        out.add(fields(callSid, paymentSid, t0, 5, "Capture", "expiration-date", "Required", "", "PartialResult", "false",
                "ExpirationDate", "1230"));
        out.add(fields(callSid, paymentSid, t0, 6, "Result", "success", "PaymentConfirmationCode", confirmation,
                "PaymentCardNumber", "xxxxxxxxxxxx4242"));
        return out;
    }

    private static Map<String, String> fields(String callSid, String paymentSid, Instant t0, int step, String... pairs) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("AccountSid", "AC0123456789abcdef0123456789abcdef");
        f.put("CallSid", callSid);
        f.put("Sid", paymentSid);
        if (step > 0) {
            f.put("DateUpdated", t0.plusSeconds(step).toString());
        }
        for (int k = 0; k < pairs.length; k += 2) {
            f.put(pairs[k], pairs[k + 1]);
        }
        f.put(TOKEN, paymentSid + "-" + step);
        return f;
    }

    /** Posts one callback form-encoded, as Twilio does; returns the HTTP status. */
    public static int post(HttpClient http, URI uri, Map<String, String> callback) throws Exception {
        StringBuilder body = new StringBuilder();
        String token = null;
        for (Map.Entry<String, String> e : callback.entrySet()) {
            if (e.getKey().equals(TOKEN)) {
                token = e.getValue();
                continue;
            }
            body.append(body.length() == 0 ? "" : "&").append(e.getKey()).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
                .header("I-Twilio-Idempotency-Token", token).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
