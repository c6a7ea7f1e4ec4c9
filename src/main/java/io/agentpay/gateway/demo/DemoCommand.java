package io.agentpay.gateway.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.sandbox.Scenario;
import io.agentpay.gateway.state.CaptureField;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code demo}: launches this server in sandbox mode as a child process, drives a whole payment
 * through a real MCP client over stdio, the way a voice agent would, and prints each step.
 */
public final class DemoCommand {
    private static final int MAX_ATTEMPTS = 3;
    private static final int STDERR_LINES_SHOWN = 20;
    private static final Duration SETTLE_WAIT = Duration.ofSeconds(10);

    private final PrintStream out;
    private final PrintStream err;
    private final Class<?> serverMain;
    private final AtomicInteger updates = new AtomicInteger();
    private final AtomicInteger logs = new AtomicInteger();

    /** @param serverMain the class whose {@code main} starts the server (on this JVM's class path) */
    public DemoCommand(PrintStream out, PrintStream err, Class<?> serverMain) {
        this.out = out;
        this.err = err;
        this.serverMain = serverMain;
    }

    public int run(String scenarioName, List<String> serverJvmOptions) {
        Scenario scenario = Scenario.byLabel(scenarioName).orElse(null);
        if (scenario == null) {
            err.println("demo: unknown scenario '" + scenarioName.replaceAll("[^\\x20-\\x7e]", "?") + "'. Choose one of: "
                    + String.join(", ", java.util.Arrays.stream(Scenario.values()).map(Scenario::label).toList()) + ".");
            return 2;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The JVM's own warnings go to stderr, never into the JSON-RPC stream on stdout.
        List<String> args = new java.util.ArrayList<>(List.of("-Xlog:disable", "-Xlog:all=warning:stderr",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        args.addAll(serverJvmOptions);
        args.addAll(List.of("-cp", absoluteClassPath(), serverMain.getName(), "--sandbox", "--callback-port", "0"));
        args.add(0, java);
        AtomicReference<McpSyncClient> running = new AtomicReference<>();
        AtomicBoolean serverEnded = new AtomicBoolean();
        // If the server ends, the pending request ends with it, not at its time-out.
        ServerProcess server = new ServerProcess(args, Json.MCP, STDERR_LINES_SHOWN, () -> {
            serverEnded.set(true);
            McpSyncClient client = running.getAndSet(null);
            if (client != null) {
                client.close();
            }
        });
        say("Twilio Agent Payments MCP Gateway: sandbox demo (simulated call and payment, nothing is charged)");
        say("Scenario '" + scenario.label() + "': the caller " + scenario.description() + ".");
        int status;
        try (McpSyncClient client = McpClient.sync(server)
                .requestTimeout(Duration.ofSeconds(30))
                .jsonSchemaValidator((schema, content) -> JsonSchemaValidator.ValidationResponse.asValid(null))
                .loggingConsumer(n -> logs.incrementAndGet())
                .resourcesUpdateConsumer(c -> updates.incrementAndGet())
                .build()) {
            running.set(client);
            if (serverEnded.get()) {
                throw new IllegalStateException("the server process ended");
            }
            status = drive(client, scenario);
            running.set(null);
            // The client closes only once nothing is on its way to it: closing with a read in flight (the SDK reads the
            // resource for each update notification) would log an SDK error after the demo has said it finished.
            server.settle(SETTLE_WAIT);
            client.closeGracefully();
        } catch (RuntimeException e) {
            err.println("demo failed: " + (serverEnded.get() ? "the server process ended." : e.getMessage()));
            status = 1;
        }
        // The server closes its services and exits once stdin closes: let it finish before the demo ends.
        server.awaitExit(30);
        if (status != 0) {
            server.printStderr(err);
        }
        return status;
    }

    private int drive(McpSyncClient client, Scenario scenario) {
        McpSchema.InitializeResult init = client.initialize();
        step("initialize", init.serverInfo().name() + " " + init.serverInfo().version() + " answered (protocol "
                + init.protocolVersion() + ")");
        step("tools/list", String.join(", ", client.listTools().tools().stream().map(McpSchema.Tool::name).toList()));
        String callSid = scenario.callSid(HexFormat.of().formatHex(new SecureRandom().generateSeed(14)));
        McpSchema.GetPromptResult prompt = client.getPrompt(new McpSchema.GetPromptRequest("StartCapture", Map.of("callSid", callSid)));
        step("prompts/get StartCapture", firstLine(((McpSchema.TextContent) prompt.messages().get(0).content()).text()));

        JsonNode started = call(client, "startPaymentCapture", startArguments(client, scenario, callSid));
        if (started.path("error").isTextual()) {
            step("result", started.path("message").asText() + " Next: " + started.path("nextStep").asText());
            return scenario == Scenario.CALL_ENDED || scenario == Scenario.NO_PSTN_LEG ? 0 : 1;
        }
        if (started.has("leg")) {
            step("leg", started.path("leg").path("why").asText());
        }
        String paymentSid = started.path("paymentSid").asText();
        String uri = started.path("statusResource").asText();
        client.subscribeResource(new McpSchema.SubscribeRequest(uri));
        step("resources/subscribe", uri);

        // Like an agent: ask for what 'required' lists next, re-ask a rejected entry, both entries after a mismatch.
        Map<String, Integer> attempts = new java.util.HashMap<>();
        JsonNode status = read(client, uri);
        while (!isFinal(status) && !status.path("state").asText().equals("ready-to-complete")) {
            CaptureField next = nextField(status);
            if (attempts.merge(next.wire(), 1, Integer::sum) > MAX_ATTEMPTS) {
                break;
            }
            Map<String, Object> args = new java.util.HashMap<>(Map.of("callSid", callSid, "paymentSid", paymentSid));
            if (next.isMatcher()) {
                args.put("secondEntry", true);
            }
            call(client, next.tool(), args);
            status = await(client, uri, s -> !s.path("state").asText().equals("capturing") || s.hasNonNull("errorType"));
            if (status.hasNonNull("errorType") && !isFinal(status)) {
                step("caller", "entry rejected (" + status.path("errorType").asText() + "): " + status.path("nextAction").asText());
            }
        }
        if (!isFinal(status)) {
            call(client, "completePaymentCapture", Map.of("callSid", callSid, "paymentSid", paymentSid));
            status = await(client, uri, DemoCommand::isFinal, "the payment processor");
        }
        // Like an agent done with the payment: no more updates (any already sent are still answered before the close).
        client.unsubscribeResource(new McpSchema.UnsubscribeRequest(uri));
        step("resources/unsubscribe", uri);
        return finish(status, scenario);
    }

    /** The start each scenario needs; for ACH, first the mistake of leaving out the holder's name. */
    private Map<String, Object> startArguments(McpSyncClient client, Scenario scenario, String callSid) {
        Map<String, Object> args = new java.util.HashMap<>(Map.of("callSid", callSid, "chargeAmount", "25.00",
                "description", "Sandbox demo order"));
        if (scenario == Scenario.ACH) {
            args.put("paymentMethod", "ach-debit");
            JsonNode refused = call(client, "startPaymentCapture", args);
            step("advice", refused.path("nextStep").asText());
            args.put("connectorParameters", Map.of("AVSName", "Jane Doe"));
        }
        if (scenario == Scenario.MATCHER_MISMATCH) {
            args.put("requireMatchingInputs", List.of("payment-card-number"));
        }
        return args;
    }

    /** The field to ask for: the errored one again (its first entry after a mismatch), else the first still required. */
    private static CaptureField nextField(JsonNode status) {
        CaptureField current = CaptureField.parse(status.path("capture").asText(null)).orElse(null);
        if (current != null && status.hasNonNull("errorType")) {
            return status.path("errorType").asText().equals("input-matching-failed") ? current.firstEntry() : current;
        }
        List<CaptureField> required = new java.util.ArrayList<>();
        status.path("required").forEach(r -> CaptureField.parse(r.asText()).ifPresent(required::add));
        return required.stream().filter(f -> !f.isMatcher() || !required.contains(f.firstEntry())).findFirst()
                .orElse(CaptureField.PAYMENT_CARD_NUMBER);
    }

    private JsonNode read(McpSyncClient client, String uri) {
        McpSchema.ReadResourceResult read = client.readResource(new McpSchema.ReadResourceRequest(uri));
        return parse(((McpSchema.TextResourceContents) read.contents().get(0)).text());
    }

    private int finish(JsonNode status, Scenario scenario) {
        String state = status.path("state").asText();
        step("outcome", state + (status.hasNonNull("bankAccountNumber") ? " — bank account "
                + status.path("bankAccountNumber").asText() : " — card " + status.path("paymentCardType").asText("?") + " "
                + status.path("paymentCardNumber").asText("(none)")) + ", confirmation "
                + status.path("paymentConfirmationCode").asText("(none)") + ", result " + status.path("result").asText("(none)"));
        step("advice", status.path("nextAction").asText());
        say("Received " + updates.get() + " resource-updated notifications and " + logs.get() + " log messages.");
        boolean expected = switch (scenario) {
            case HANG_UP, DECLINED -> state.equals("failed");
            default -> state.equals("completed");
        };
        say(expected ? "Demo finished as the scenario expects. (Sandbox: nothing was charged.)" : "Demo ended unexpectedly.");
        return expected ? 0 : 1;
    }

    private JsonNode call(McpSyncClient client, String tool, Map<String, Object> args) {
        McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest(tool, args));
        JsonNode body = parse(((McpSchema.TextContent) result.content().get(0)).text());
        step("tools/call " + tool, Boolean.TRUE.equals(result.isError())
                ? "error: " + body.path("message").asText()
                : body.path("state").asText() + (body.hasNonNull("paymentSid") ? " " + body.path("paymentSid").asText() : ""));
        return body;
    }

    /** Reads the status resource until {@code done} holds, printing a dot a tick while the caller keys. */
    private JsonNode await(McpSyncClient client, String uri, java.util.function.Predicate<JsonNode> done) {
        return await(client, uri, done, "the caller");
    }

    private JsonNode await(McpSyncClient client, String uri, java.util.function.Predicate<JsonNode> done, String whom) {
        out.print("    waiting for " + whom + " ");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = read(client, uri);
            if (done.test(status)) {
                out.println(" " + status.path("state").asText()
                        + (status.hasNonNull("paymentCardNumber") ? " (card " + status.path("paymentCardNumber").asText() + ")" : ""));
                return status;
            }
            out.print('.');
            out.flush();
            sleep(150);
        }
        out.println();
        throw new IllegalStateException("the status resource did not change within 20 seconds");
    }

    private static boolean isFinal(JsonNode status) {
        String state = status.path("state").asText();
        return state.equals("completed") || state.equals("failed") || state.equals("cancelled");
    }

    private void step(String what, String detail) {
        out.println("  " + what + ": " + detail);
    }

    private void say(String line) {
        out.println(line);
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + json, e);
        }
    }

    /** The server gets this JVM's class path, absolute, so a CDS archive recorded through it matches {@code java -jar /abs/path}. */
    private static String absoluteClassPath() {
        return String.join(java.io.File.pathSeparator, java.util.Arrays.stream(
                System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().normalize().toString()).toList());
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
