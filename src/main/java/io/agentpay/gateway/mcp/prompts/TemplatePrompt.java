package io.agentpay.gateway.mcp.prompts;

import io.agentpay.gateway.mcp.PromptFactory;
import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.ToolArgs;
import io.agentpay.gateway.mcp.ToolInputException;
import io.agentpay.gateway.state.Sids;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.GetPromptResult;
import io.modelcontextprotocol.spec.McpSchema.Prompt;
import io.modelcontextprotocol.spec.McpSchema.PromptArgument;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A prompt whose text lives in {@code src/main/resources/prompts/<name>.md}. Arguments
 * {@code callSid} and {@code paymentSid}, when given, are checked and filled into the exact tool
 * calls the text names ({@code {{call}}}, {@code {{ids}}}, {@code {{session}}}); when absent the
 * text says in words which SIDs to use instead.
 */
abstract class TemplatePrompt implements PromptFactory {
    /** Said at the end of every prompt, whatever the step. */
    static final String RULES = "Always: the caller keys card digits on the phone keypad, never says them aloud; never "
            + "repeat, confirm or write down card digits (brand and last four only); payments attach to the caller's "
            + "PSTN call leg (CallSid when CallDirection is toPSTN, ParentCallSid when it is toSIP).";

    private final ServerContext context;
    private final String name;
    private final String title;
    private final String description;
    private final boolean callSidRequired;
    private final boolean takesPaymentSid;
    private final String text;

    TemplatePrompt(ServerContext context, String name, String title, String description, boolean callSidRequired,
                   boolean takesPaymentSid) {
        this.context = context;
        this.name = name;
        this.title = title;
        this.description = description;
        this.callSidRequired = callSidRequired;
        this.takesPaymentSid = takesPaymentSid;
        this.text = load(name);
    }

    @Override
    public Prompt prompt() {
        List<PromptArgument> arguments = new ArrayList<>();
        arguments.add(new PromptArgument("callSid", "Call SID",
                "SID of the live call's PSTN leg ('CA' + 32 hex characters)", callSidRequired));
        if (takesPaymentSid) {
            arguments.add(new PromptArgument("paymentSid", "Payment SID",
                    "SID of the payment session from startPaymentCapture ('PK' + 32 hex characters)", false));
        }
        arguments.addAll(extraArguments());
        return new Prompt(name, title, description, arguments);
    }

    /** Arguments beyond callSid and paymentSid. */
    List<PromptArgument> extraArguments() {
        return List.of();
    }

    @Override
    public GetPromptResult get(Map<String, Object> arguments) {
        String callSid = sid(arguments, "callSid", Sids.CALL, ToolArgs.CALL_SID_FORM, callSidRequired);
        String paymentSid = takesPaymentSid ? sid(arguments, "paymentSid", Sids.PAYMENT, ToolArgs.PAYMENT_SID_FORM, false) : null;
        String call = callSid == null ? "the callSid of the caller's PSTN leg" : "callSid \"" + callSid + "\"";
        String payment = paymentSid == null ? "the paymentSid that startPaymentCapture returned"
                : "paymentSid \"" + paymentSid + "\"";
        String body = render(arguments, text)
                .replace("{{session}}", callSid == null ? "" : " (call " + callSid
                        + (paymentSid == null ? "" : ", payment " + paymentSid) + ")")
                .replace("{{ids}}", callSid == null && paymentSid == null
                        ? "the callSid and paymentSid of this payment (as startPaymentCapture returned them)"
                        : call + " and " + payment)
                .replace("{{call}}", call);
        body = body.strip() + "\n\n" + RULES;
        if (context.sandbox()) {
            body = body + "\n\n" + sandboxNote();
        }
        return new GetPromptResult(description, List.of(new McpSchema.PromptMessage(McpSchema.Role.USER,
                new McpSchema.TextContent(body.strip()))));
    }

    /** The prompt's text as written, before arguments are filled in. */
    String text() {
        return text;
    }

    /** Lets a prompt choose part of its text from its extra arguments. */
    String render(Map<String, Object> arguments, String template) {
        return template;
    }

    String sandboxNote() {
        return "Sandbox: this server talks to a simulated Twilio; no real call or payment takes place.";
    }

    private static String sid(Map<String, Object> arguments, String key, String prefix, String form,
                              boolean required) {
        Object value = arguments.get(key);
        if (value == null || (value instanceof String s && s.isBlank())) {
            if (required) {
                throw new ToolInputException("Missing argument '" + key + "': expected " + form + ".");
            }
            return null;
        }
        if (!(value instanceof String s) || !Sids.is(s.strip(), prefix)) {
            throw new ToolInputException("Argument '" + key + "' must be " + form + ".");
        }
        return s.strip();
    }

    private static String load(String name) {
        try (InputStream in = TemplatePrompt.class.getResourceAsStream("/prompts/" + name + ".md")) {
            if (in == null) {
                throw new IllegalStateException("Prompt text prompts/" + name + ".md is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
