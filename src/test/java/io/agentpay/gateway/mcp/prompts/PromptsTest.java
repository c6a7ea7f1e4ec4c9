package io.agentpay.gateway.mcp.prompts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.mcp.PromptFactory;
import io.agentpay.gateway.mcp.ToolInputException;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PromptsTest {
    static final String CA = "CAfedcba9876543210fedcba9876543210";
    static final String PK = "PK00112233445566778899aabbccddeeff";
    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = new GatewayFixture();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    static PromptFactory prompt(String name) {
        return gateway.components.prompts().stream().filter(p -> p.prompt().name().equals(name)).findFirst().orElseThrow();
    }

    static String text(String name, Map<String, Object> args) {
        return ((McpSchema.TextContent) prompt(name).get(args).messages().get(0).content()).text();
    }

    @ParameterizedTest
    @ValueSource(strings = {"StartCapture", "CardNumber", "SecurityCode", "ExpirationDate", "FinishCapture", "Completion", "Error"})
    void eachPromptDescribesItselfAndItsArguments(String name) {
        McpSchema.Prompt prompt = prompt(name).prompt();
        assertThat(prompt.description()).isNotBlank();
        assertThat(prompt.title()).isNotBlank();
        assertThat(prompt.arguments()).extracting(McpSchema.PromptArgument::name).contains("callSid");
        assertThat(prompt.arguments()).allSatisfy(a -> assertThat(a.description()).isNotBlank());
    }

    @Test
    void startCaptureRequiresAValidCallSid() {
        assertThat(prompt("StartCapture").prompt().arguments().get(0).required()).isTrue();
        assertThatThrownBy(() -> text("StartCapture", Map.of())).isInstanceOf(ToolInputException.class)
                .hasMessageContaining("Missing argument 'callSid'");
        assertThatThrownBy(() -> text("StartCapture", Map.of("callSid", "CA12"))).isInstanceOf(ToolInputException.class)
                .hasMessageContaining("'CA' followed by 32 hex characters");
    }

    @Test
    void givenSidsAreFilledIntoTheExactToolCallAndResource() {
        String text = text("CardNumber", Map.of("callSid", CA, "paymentSid", PK));
        assertThat(text).contains("captureCardNumber with callSid \"" + CA + "\" and paymentSid \"" + PK + "\"")
                .doesNotContain("{{");
        for (PromptFactory p : gateway.components.prompts()) {
            if (!p.prompt().name().equals("StartCapture")) {
                String general = ((McpSchema.TextContent) p.get(Map.of()).messages().get(0).content()).text();
                assertThat(general).as(p.prompt().name()).doesNotContain("{callSid}", "{paymentSid}", "{{", "payment://");
            }
        }
        assertThat(text("CardNumber", Map.of())).contains("captureCardNumber with the callSid and paymentSid of this payment");
        assertThatThrownBy(() -> text("CardNumber", Map.of("paymentSid", "PK-nope"))).isInstanceOf(ToolInputException.class)
                .hasMessageContaining("'paymentSid'");
    }

    @Test
    void theErrorPromptNarrowsToOneErrorType() {
        String one = text("Error", Map.of("errorType", "invalid-card-number"));
        assertThat(one).contains("## invalid-card-number").doesNotContain("## invalid-date").contains("three attempts");
        assertThat(text("Error", Map.of())).contains("## invalid-date", "## input-timeout", "## payment-connector-error",
                "## caller-hung-up", "## invalid-card-type", "## invalid-security-code");
        assertThatThrownBy(() -> text("Error", Map.of("errorType", "bogus"))).isInstanceOf(ToolInputException.class)
                .hasMessageContaining("invalid-card-number");
    }

    @Test
    void promptsOnlyNameToolsAndResourcesThatExist() {
        Set<String> tools = gateway.components.tools().stream().map(t -> t.tool().name()).collect(Collectors.toSet());
        Pattern toolName = Pattern.compile("\\b(start|capture|complete|cancel|get)[A-Z][A-Za-z]+\\b");
        Pattern uri = Pattern.compile("payment://[^\\s)\"]+");
        for (PromptFactory p : gateway.components.prompts()) {
            String text = ((McpSchema.TextContent) p.get(Map.of("callSid", CA)).messages().get(0).content()).text();
            Matcher m = toolName.matcher(text);
            while (m.find()) {
                assertThat(tools).as(p.prompt().name() + " mentions " + m.group()).contains(m.group());
            }
            Matcher u = uri.matcher(text);
            while (u.find()) {
                assertThat(u.group()).as(p.prompt().name()).matches("payment://(\\{callSid\\}|CA[0-9a-f]{32})/(\\{paymentSid\\}|<paymentSid>|PK[0-9a-f]{32})/status\\.?");
            }
        }
    }

    @Test
    void everyPromptKeepsDigitsOnTheKeypad() {
        for (PromptFactory p : gateway.components.prompts()) {
            String text = ((McpSchema.TextContent) p.get(Map.of("callSid", CA)).messages().get(0).content()).text();
            assertThat(text).as(p.prompt().name()).contains("phone keypad", "never says them aloud", "PSTN");
            assertThat(text).as(p.prompt().name()).doesNotContainPattern("(?i)(read|say|tell) (me )?(your|the) (card|security|expir)");
        }
    }
}
