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
import java.util.Map;

/** Builds the MCP server from the discovered components: capabilities, instructions, handlers, completions. */
public final class ServerAssembly {
    public static final String NAME = "twilio-agent-payments-mcp-gateway";

    public static final String INSTRUCTIONS = """
            Takes a card (or ACH) payment during a live Twilio phone call without card data ever reaching you: \
            the caller keys digits on the phone keypad, Twilio captures and tokenizes them, and you only ever see \
            masked values (last four digits at most).
            Flow: 1) get consent, then startPaymentCapture with the call SID of the caller's PSTN leg; \
            2) captureCardNumber, captureSecurityCode, captureExpirationDate (and capturePostalCode when asked), one at a time, \
            each time telling the caller what to key; 3) after each, wait for the status resource \
            payment://{callSid}/{paymentSid}/status (subscribe to it or read it) and follow its nextAction: \
            re-capture a rejected field by calling the same tool again; 4) when 'required' is empty, completePaymentCapture; \
            5) confirm with brand and last four only. cancelPaymentCapture ends a session at any time.
            Never ask the caller to say card digits aloud and never repeat digits. The prompts StartCapture, CardNumber, \
            SecurityCode, ExpirationDate, FinishCapture, Completion and Error give the words for each step.""";

    /** The capabilities below as the SDK serializes them; {@link FastInitialize} answers with it. */
    public static final String CAPABILITIES_JSON = "{\"completions\":{},\"logging\":{},\"prompts\":{\"listChanged\":false},"
            + "\"resources\":{\"subscribe\":true,\"listChanged\":false},\"tools\":{\"listChanged\":false}}";

    /** Accepts every document: tools check their own arguments with clearer messages than a schema error. */
    private static final JsonSchemaValidator ARGUMENTS_CHECKED_BY_TOOLS =
            (schema, content) -> JsonSchemaValidator.ValidationResponse.asValid(null);

    private ServerAssembly() {}

    public static McpSyncServer build(McpServerTransportProvider transport, McpJsonMapper mapper, ServerContext context,
                                      ComponentScan.Components components, String version) {
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
            if (prompt.arguments() != null && prompt.arguments().stream()
                    .anyMatch(a -> a.name().equals("callSid") || a.name().equals("paymentSid"))) {
                completions.add(new SyncCompletionSpecification(new McpSchema.PromptReference(prompt.name()),
                        (exchange, request) -> complete(context, request)));
            }
        }
        List<SyncResourceTemplateSpecification> resources = new ArrayList<>();
        for (ResourceFactory factory : components.resources()) {
            McpSchema.ResourceTemplate template = factory.template();
            resources.add(new SyncResourceTemplateSpecification(template, (exchange, request) -> factory.read(request.uri())));
            completions.add(new SyncCompletionSpecification(new McpSchema.ResourceReference(template.uriTemplate()),
                    (exchange, request) -> complete(context, request)));
        }
        return specification
                .jsonMapper(mapper)
                .jsonSchemaValidator(ARGUMENTS_CHECKED_BY_TOOLS)
                .serverInfo(NAME, version)
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

    /** Suggests the call and payment SIDs this server knows, newest first, that start with what was typed. */
    static CompleteResult complete(ServerContext context, McpSchema.CompleteRequest request) {
        String argument = request.argument().name();
        String typed = request.argument().value() == null ? "" : request.argument().value();
        List<String> values = context.store().all().stream()
                .sorted(Comparator.comparing(PaymentStatus::updatedAt).reversed())
                .map(s -> argument.equals("paymentSid") ? s.paymentSid() : argument.equals("callSid") ? s.callSid() : null)
                .filter(v -> v != null && v.startsWith(typed))
                .distinct()
                .limit(100)
                .toList();
        return new CompleteResult(new CompleteResult.CompleteCompletion(values, values.size(), false));
    }
}
