package io.agentpay.gateway.twilio;

import com.twilio.exception.ApiConnectionException;
import com.twilio.http.HttpClient;
import com.twilio.http.HttpMethod;
import com.twilio.http.Request;
import com.twilio.http.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The Twilio SDK's transport, on the JDK's HTTP client: sends every request to the configured
 * base URL (Twilio or an emulator), with a bounded timeout, and retries 429, 5xx and I/O
 * failures with backoff, honouring Retry-After. A retry resends the same form body, so the
 * same idempotency key.
 */
public final class TwilioTransport extends HttpClient {
    private volatile java.net.http.HttpClient http;
    private final URI baseUrl;
    private final Duration timeout;
    private final int maxRetries;
    private final Duration backoff;

    public TwilioTransport(URI baseUrl, Duration timeout, int maxRetries, Duration backoff) {
        this.baseUrl = baseUrl;
        this.timeout = timeout;
        this.maxRetries = maxRetries;
        this.backoff = backoff;
    }

    /** Built on first use: its TLS set-up is the heaviest part of the Twilio client and an idle server never needs it. */
    private java.net.http.HttpClient http() {
        java.net.http.HttpClient client = http;
        if (client == null) {
            synchronized (this) {
                if (http == null) {
                    http = java.net.http.HttpClient.newBuilder()
                            .connectTimeout(timeout)
                            .version(java.net.http.HttpClient.Version.HTTP_1_1)
                            .build();
                }
                client = http;
            }
        }
        return client;
    }

    public URI baseUrl() {
        return baseUrl;
    }

    @Override
    public Response reliableRequest(Request request) {
        return send(request);
    }

    @Override
    public Response reliableRequest(Request request, int[] retryCodes, int retries, long delayMillis) {
        return send(request);
    }

    private Response send(Request request) {
        for (int attempt = 0; ; attempt++) {
            Attempt result = attempt(request);
            boolean retriable = result.response == null || result.response.getStatusCode() == 429
                    || result.response.getStatusCode() >= 500;
            if (!retriable || attempt >= maxRetries) {
                if (result.response == null) {
                    throw new ApiConnectionException("Could not reach Twilio at " + baseUrl + " after "
                            + (attempt + 1) + " attempts: " + result.failure, null);
                }
                return result.response;
            }
            sleep(delay(attempt, result.retryAfterSeconds));
        }
    }

    @Override
    public Response makeRequest(Request request) {
        Attempt result = attempt(request);
        if (result.response == null) {
            throw new ApiConnectionException("Could not reach Twilio at " + baseUrl + ": " + result.failure, null);
        }
        return result.response;
    }

    private record Attempt(Response response, String failure, OptionalLong retryAfterSeconds) {}

    private Attempt attempt(Request request) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(target(request.constructURL()))
                .timeout(timeout)
                .header("Accept", "application/json")
                .header("User-Agent", "twilio-agent-payments-mcp-gateway");
        if (request.requiresAuthentication()) {
            builder.header("Authorization", request.getAuthString());
        }
        for (Map.Entry<String, List<String>> header : request.getHeaderParams().entrySet()) {
            for (String value : header.getValue()) {
                if (!header.getKey().equalsIgnoreCase("Authorization")) {
                    builder.header(header.getKey(), value);
                }
            }
        }
        HttpMethod method = request.getMethod();
        if (method == HttpMethod.POST) {
            builder.header("Content-Type", "application/x-www-form-urlencoded");
            builder.POST(HttpRequest.BodyPublishers.ofString(request.encodeFormBody(), StandardCharsets.UTF_8));
        } else {
            builder.method(method.toString(), HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> response = http().send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            OptionalLong retryAfter = response.headers().firstValue("Retry-After").map(TwilioTransport::seconds)
                    .orElse(OptionalLong.empty());
            return new Attempt(new Response(response.body(), response.statusCode()), null, retryAfter);
        } catch (java.net.http.HttpTimeoutException e) {
            return new Attempt(null, "no answer within " + timeout.toMillis() + " ms", OptionalLong.empty());
        } catch (IOException e) {
            return new Attempt(null, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"),
                    OptionalLong.empty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt(null, "interrupted", OptionalLong.empty());
        }
    }

    /** Keeps the SDK's path and query and swaps in the configured scheme, host and port. */
    private URI target(URL sdkUrl) {
        String path = sdkUrl.getPath();
        String query = sdkUrl.getQuery();
        return URI.create(baseUrl.toString() + path + (query == null || query.isEmpty() ? "" : "?" + query));
    }

    private Duration delay(int attempt, OptionalLong retryAfterSeconds) {
        Duration exponential = backoff.multipliedBy(1L << Math.min(attempt, 6));
        if (retryAfterSeconds.isPresent()) {
            Duration asked = Duration.ofSeconds(Math.min(retryAfterSeconds.getAsLong(), 10));
            return asked.compareTo(exponential) > 0 ? asked : exponential;
        }
        return exponential;
    }

    private static OptionalLong seconds(String value) {
        try {
            return OptionalLong.of(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
