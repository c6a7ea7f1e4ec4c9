package io.agentpay.gateway.resilience;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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

    /**
     * Every payment's callbacks plus, for each, a redelivery of one of them and a late partial
     * result, all in one random order.
     */
    public static List<Map<String, String>> shuffledWithRedeliveries(List<List<Map<String, String>>> payments, Random random) {
        List<Map<String, String>> all = new ArrayList<>();
        for (List<Map<String, String>> seq : payments) {
            all.addAll(seq);
            all.add(seq.get(random.nextInt(seq.size())));   // a redelivery
            all.add(seq.get(1));                              // a late partial result
        }
        Collections.shuffle(all, random);
        return all;
    }

    /** Posts every callback from 16 threads at once; returns the HTTP statuses in the callbacks' order. */
    public static List<Integer> postConcurrently(HttpClient http, URI uri, List<Map<String, String>> callbacks) throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> sent = new ArrayList<>();
            for (Map<String, String> callback : callbacks) {
                sent.add(senders.submit(() -> post(http, uri, callback)));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : sent) {
                statuses.add(f.get());
            }
            return statuses;
        } finally {
            senders.shutdown();
        }
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
