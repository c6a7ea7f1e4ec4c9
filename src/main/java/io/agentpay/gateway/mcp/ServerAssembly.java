package io.agentpay.gateway.mcp;

import io.agentpay.gateway.state.PaymentStatus;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncCompletionSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncPromptSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceTemplateSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CompleteResult;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** Builds the MCP server from the discovered components: capabilities, instructions, handlers, completions. */
public final class ServerAssembly {
    public static final String NAME = "twilio-agent-payments-mcp-gateway";
    public static final String TITLE = "Twilio Agent Payments";
    public static final String DESCRIPTION = "Take a card or ACH payment during a live Twilio call: the caller keys the "
            + "digits on the phone keypad, Twilio tokenizes them, and the model sees masked values only.";
    /** Twilio's reference for the Payments API this server steers. */
    public static final String WEBSITE_URL = "https://www.twilio.com/docs/voice/api/payment-resource";

    public static final String INSTRUCTIONS = """
            Takes a card (or ACH) payment during a live Twilio phone call without card data ever reaching you: \
            the caller keys digits on the phone keypad, Twilio captures and tokenizes them, and you only ever see \
            masked values (last four digits at most).
            Flow, with tools alone: 1) get consent, then startPaymentCapture with the call SID of the caller's PSTN leg; \
            2) for each field (captureCardNumber, captureSecurityCode, captureExpirationDate, and capturePostalCode when \
            required), first tell the caller what to key, then call the tool: it waits and returns the outcome (captured, \
            or refused with errorType: call the same tool again so the caller re-enters it); 3) when state is \
            ready-to-complete, confirm with the caller and call completePaymentCapture: it returns completed (with the \
            confirmation code or token) or failed (with failureReason); 4) confirm with brand and last four only. \
            Every result carries the payment's status and a nextAction naming the exact next call. If the caller is still \
            keying when a tool returns, call getPaymentStatus with waitSeconds to keep waiting; never repeat the capture \
            tool for that, it restarts the entry. cancelPaymentCapture ends a session at any time. Hosts with resources \
            may also follow payment://{callSid}/{paymentSid}/status (the same object; subscribable).
            Never ask the caller to say card digits aloud and never repeat digits. The prompts StartCapture, CardNumber, \
            SecurityCode, ExpirationDate, FinishCapture, Completion and Error give the words for each step.""";

    /** The capabilities below as the SDK serializes them; {@link EarlyAnswers} answers with it. */
    public static final String CAPABILITIES_JSON = "{\"completions\":{},\"logging\":{},\"prompts\":{\"listChanged\":false},"
            + "\"resources\":{\"subscribe\":true,\"listChanged\":false},\"tools\":{\"listChanged\":false}}";

    /** Accepts every document: tools check their own arguments with clearer messages than a schema error. */
    private static final JsonSchemaValidator ARGUMENTS_CHECKED_BY_TOOLS =
            (schema, content) -> JsonSchemaValidator.ValidationResponse.asValid(null);

    private ServerAssembly() {}

    public static McpSyncServer build(McpServerTransportProvider transport, McpJsonMapper mapper, ServerContext context,
                                      ComponentScan.Components components, String version) {
        if (transport instanceof StdioTransportProvider stdio) {
            stdio.checkParams(new ParamsCheck(mapper, components.resources().stream().map(r -> r.template().uriTemplate()).toList()));
        }
        return build(McpServer.sync(transport), mapper, context, components, version);
    }

    /** The same server on any transport's specification: stdio's single session or Streamable HTTP's many. */
    public static <S extends McpServer.SyncSpecification<S>> McpSyncServer build(S specification, McpJsonMapper mapper,
            ServerContext context, ComponentScan.Components components, String version) {
        List<SyncToolSpecification> tools = new ArrayList<>();
        for (ToolFactory factory : components.tools()) {
            tools.add(new SyncToolSpecification(factory.tool(), ToolResults.guarded(factory, context.log())));
        }
        List<SyncPromptSpecification> prompts = new ArrayList<>();
        List<SyncCompletionSpecification> completions = new ArrayList<>();
        for (PromptFactory factory : components.prompts()) {
            McpSchema.Prompt prompt = factory.prompt();
            prompts.add(new SyncPromptSpecification(prompt, (exchange, request) -> {
                try {
                    return factory.get(request.arguments() == null ? Map.of() : request.arguments());
                } catch (ToolInputException e) {
                    throw McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS).message(e.getMessage()).build();
                }
            }));
            if (prompt.arguments() != null && !prompt.arguments().isEmpty()) {
                completions.add(new SyncCompletionSpecification(new McpSchema.PromptReference(prompt.name()),
                        (exchange, request) -> complete(context, request, factory.choices(request.argument().name()))));
            }
        }
        List<SyncResourceTemplateSpecification> resources = new ArrayList<>();
        for (ResourceFactory factory : components.resources()) {
            McpSchema.ResourceTemplate template = factory.template();
            resources.add(new SyncResourceTemplateSpecification(template, (exchange, request) -> factory.read(request.uri())));
            completions.add(new SyncCompletionSpecification(new McpSchema.ResourceReference(template.uriTemplate()),
                    (exchange, request) -> complete(context, request, List.of())));
        }
        return specification
                .jsonMapper(mapper)
                .jsonSchemaValidator(ARGUMENTS_CHECKED_BY_TOOLS)
                .serverInfo(new McpSchema.Implementation(NAME, TITLE, version, DESCRIPTION, null, WEBSITE_URL))
                .instructions(INSTRUCTIONS)
                .requestTimeout(Duration.ofSeconds(60))
                .capabilities(McpSchema.ServerCapabilities.builder()
                        .tools(false)
                        .resources(true, false)
                        .prompts(false)
                        .logging()
                        .completions()
                        .build())
                .tools(tools)
                .prompts(prompts)
                .resourceTemplates(resources)
                .completions(completions)
                .build();
    }

    /**
     * Suggests values that start with what was typed, ignoring case: an argument's fixed choices,
     * or the call and payment SIDs this server knows, newest first; a payment SID only of the call
     * already chosen in the completion context, when there is one.
     */
    static CompleteResult complete(ServerContext context, McpSchema.CompleteRequest request, List<String> choices) {
        String argument = request.argument().name();
        String typed = request.argument().value() == null ? "" : request.argument().value().toLowerCase(Locale.ROOT);
        Map<String, String> chosen = request.context() == null || request.context().arguments() == null ? Map.of()
                : request.context().arguments();
        String callSid = chosen.get("callSid");
        Stream<String> candidates = !choices.isEmpty() ? choices.stream() : context.store().all().stream()
                .filter(s -> !argument.equals("paymentSid") || callSid == null || callSid.equalsIgnoreCase(s.callSid()))
                .sorted(Comparator.comparing(PaymentStatus::updatedAt).reversed())
                .map(s -> argument.equals("paymentSid") ? s.paymentSid() : argument.equals("callSid") ? s.callSid() : null);
        List<String> values = candidates
                .filter(v -> v != null && v.toLowerCase(Locale.ROOT).startsWith(typed))
                .distinct()
                .limit(100)
                .toList();
        return new CompleteResult(new CompleteResult.CompleteCompletion(values, values.size(), false));
    }
}
