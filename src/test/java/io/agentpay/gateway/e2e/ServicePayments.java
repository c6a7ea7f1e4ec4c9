package io.agentpay.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.modelcontextprotocol.client.McpSyncClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Payments per second across two jar instances on one Redis, for {@code bench/service.sh}: the
 * jars as the README launches them in service mode (JVM flags from {@code bench.jvmFlags}), the
 * Twilio emulator in this process, callbacks through {@code publicUrl} (the script's nginx, which
 * spreads them over both instances' callback ports). Each worker runs whole payments the way an
 * agent does, each tool call waiting (the tools' default wait) until the caller has keyed:
 * start, card, security code, expiry date, complete, each step through the other instance than the
 * step before. Prints payments/s and each payment's duration (p50, p99): what an agent waits for.
 * <pre>args: redisUrl publicUrl callbackPortA callbackPortB payments concurrency [warmup] [keyDelayMs]</pre>
 */
public final class ServicePayments {
    private static final String TOKEN = "service-bench-token-0123456789";

    private ServicePayments() {}

    public static void main(String[] args) throws Exception {
        String redisUrl = args[0];
        String publicUrl = args[1];
        int payments = Integer.parseInt(args[4]);
        int concurrency = Integer.parseInt(args[5]);
        int warmup = args.length > 6 ? Integer.parseInt(args[6]) : concurrency * 2;
        Duration keyDelay = Duration.ofMillis(args.length > 7 ? Long.parseLong(args[7]) : 30);
        List<Process> jars = new ArrayList<>();
        List<McpSyncClient> clients = new ArrayList<>();
        try (PaySimulator twilio = new PaySimulator(PaySimulator.Credentials.sandbox(), keyDelay)) {
            PaySimulator.Credentials c = twilio.credentials();
            List<Path> logs = List.of(Files.createTempFile("service-a", ".log"), Files.createTempFile("service-b", ".log"));
            for (int i = 0; i < 2; i++) {
                jars.add(JarProcess.startHttp(Map.of("PUBLIC_URL", publicUrl, "CALLBACK_PORT", args[2 + i],
                        "TWILIO_API_BASE_URL", twilio.baseUrl().toString(), "TWILIO_AUTH_TOKEN", c.authToken(),
                        "MCP_AUTH_TOKEN", TOKEN, "REDIS_URL", redisUrl), logs.get(i), c.accountSid(), c.apiKey(), c.apiSecret()));
            }
            for (int i = 0; i < 2; i++) {
                if (JarProcess.callbackPort(logs.get(i)) != Integer.parseInt(args[2 + i])) {
                    throw new IllegalStateException("Callback port " + args[2 + i] + " was taken; run again");
                }
                URI base = JarProcess.httpBase(logs.get(i));
                JarProcess.awaitHealthy(jars.get(i), base, logs.get(i));
                clients.add(HttpServerIT.client(base, TOKEN, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()));
            }
            ExecutorService workers = Executors.newFixedThreadPool(concurrency);
            try {
                run(workers, clients, 0, warmup);
                long[] callbacks = {count(logs.get(0)), count(logs.get(1))};
                long t0 = System.nanoTime();
                List<Long> durations = run(workers, clients, warmup, payments);
                double seconds = (System.nanoTime() - t0) / 1e9;
                Collections.sort(durations);
                System.out.printf("RESULT payments=%d concurrency=%d key_delay_ms=%d seconds=%.2f payments_per_s=%.1f "
                                + "p50_ms=%.0f p99_ms=%.0f callbacks_a=%d callbacks_b=%d%n", payments, concurrency,
                        keyDelay.toMillis(), seconds, payments / seconds, durations.get(durations.size() / 2) / 1e6,
                        durations.get((int) Math.ceil(durations.size() * 0.99) - 1) / 1e6,
                        count(logs.get(0)) - callbacks[0], count(logs.get(1)) - callbacks[1]);
            } finally {
                workers.shutdownNow();
            }
        } finally {
            clients.forEach(McpSyncClient::close);
            for (Process jar : jars) {
                jar.destroy();
                jar.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Runs payments {@code from} to {@code from + n} on the workers; each one's duration in ns. */
    private static List<Long> run(ExecutorService workers, List<McpSyncClient> clients, int from, int n) throws Exception {
        List<Future<Long>> driven = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            int p = i;
            driven.add(workers.submit(() -> pay(clients.get(p % 2), clients.get((p + 1) % 2), p)));
        }
        List<Long> durations = new ArrayList<>();
        for (Future<Long> f : driven) {
            durations.add(f.get());
        }
        return durations;
    }

    private static long pay(McpSyncClient one, McpSyncClient other, int i) throws Exception {
        long t0 = System.nanoTime();
        String call = String.format("CA%028x0000", 0x7000000L + i); // the emulator's default caller
        JsonNode started = HttpServerIT.call(one, "startPaymentCapture", Map.of("callSid", call, "chargeAmount", "9.99"));
        Map<String, Object> session = Map.of("callSid", call, "paymentSid", started.path("paymentSid").asText());
        expect(HttpServerIT.call(other, "captureCardNumber", session), "captured");
        expect(HttpServerIT.call(one, "captureSecurityCode", session), "captured");
        expect(HttpServerIT.call(other, "captureExpirationDate", session), "captured", "ready-to-complete");
        expect(HttpServerIT.call(one, "completePaymentCapture", session), "completed");
        return System.nanoTime() - t0;
    }

    private static void expect(JsonNode result, String... outcomes) {
        if (!List.of(outcomes).contains(result.path("outcome").asText())) {
            throw new IllegalStateException("Expected outcome " + String.join(" or ", outcomes) + ": " + result);
        }
    }

    private static long count(Path log) throws Exception {
        try (var lines = Files.lines(log)) {
            return lines.filter(l -> l.contains(" callbacks - ")).count();
        }
    }
}
