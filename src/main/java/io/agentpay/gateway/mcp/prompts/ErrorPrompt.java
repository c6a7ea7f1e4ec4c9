package io.agentpay.gateway.mcp.prompts;

import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.ToolInputException;
import io.modelcontextprotocol.spec.McpSchema.PromptArgument;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Prompt {@code Error}: how to recover from each kind of failure, and when to stop trying. */
public final class ErrorPrompt extends TemplatePrompt {
    public ErrorPrompt(ServerContext context) {
        super(context, "Error", "Recover from a payment problem",
                "How to recover from a rejected entry or a failed payment, per error type, without blaming the caller, "
                        + "and when to cancel.",
                false, true);
    }

    @Override
    List<PromptArgument> extraArguments() {
        return List.of(new PromptArgument("errorType", "Error type",
                "The errorType or result from the status resource, e.g. invalid-card-number, input-timeout, "
                        + "payment-connector-error, caller-hung-up. Omit for all.", false));
    }

    /** Twilio's error types and results this prompt has a section for: what errorType completes to. */
    @Override
    public List<String> choices(String argument) {
        return argument.equals("errorType") ? List.copyOf(sections(text()).keySet()) : List.of();
    }

    /** The text has a general part, then one "## name" section per error type; each name maps to its section. */
    private static Map<String, String> sections(String template) {
        Map<String, String> sections = new LinkedHashMap<>();
        for (String section : template.substring(template.indexOf("\n## ") + 1).split("\n(?=## )")) {
            String heading = section.substring(3, section.indexOf('\n')).strip();
            for (String type : heading.split(",\\s*")) {
                sections.put(type, section);
            }
        }
        return sections;
    }

    /** An errorType keeps only the general part and its own section. */
    @Override
    String render(Map<String, Object> arguments, String template) {
        String general = template.substring(0, template.indexOf("\n## "));
        Map<String, String> sections = sections(template);
        Object wanted = arguments.get("errorType");
        if (wanted == null || (wanted instanceof String s && s.isBlank())) {
            return template;
        }
        String section = wanted instanceof String s ? sections.get(s.strip()) : null;
        if (section == null) {
            throw new ToolInputException("Argument 'errorType' must be one of: " + String.join(", ", sections.keySet())
                    + ". Omit it for guidance on every error.");
        }
        return general + "\n" + section;
    }
}
