package io.agentpay.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.state.PaymentUpdate;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CompleteRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Argument completion offers what fits what is already chosen, and ignores case. */
class CompletionTest {
    static final String CALL_A = "CA0000000000000000000000000000000a";
    static final String CALL_B = "CA0000000000000000000000000000000b";
    static final String PAY_A = "PKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    static final String PAY_B = "PKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = new GatewayFixture();
        gateway.store.apply(PaymentUpdate.created(PAY_A, CALL_A, Map.of(), List.of()));
        gateway.store.apply(PaymentUpdate.created(PAY_B, CALL_B, Map.of(), List.of()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static List<String> complete(String prompt, String argument, String typed, Map<String, String> chosen,
                                         List<String> choices) {
        CompleteRequest request = new CompleteRequest(new McpSchema.PromptReference(prompt),
                new CompleteRequest.CompleteArgument(argument, typed), new CompleteRequest.CompleteContext(chosen));
        return ServerAssembly.complete(gateway.context, request, choices).completion().values();
    }

    @Test
    void aPaymentSidCompletesOnlyFromTheCallAlreadyChosen() {
        assertThat(complete("CardNumber", "paymentSid", "PK", Map.of("callSid", CALL_B), List.of())).containsExactly(PAY_B);
        assertThat(complete("CardNumber", "paymentSid", "PK", Map.of(), List.of())).containsExactlyInAnyOrder(PAY_A, PAY_B);
    }

    @Test
    void prefixesMatchWhateverTheCase() {
        assertThat(complete("CardNumber", "paymentSid", "pkAAA", Map.of(), List.of())).containsExactly(PAY_A);
        assertThat(complete("CardNumber", "callSid", "ca", Map.of(), List.of())).containsExactlyInAnyOrder(CALL_A, CALL_B);
    }

    @Test
    void anErrorTypeCompletesFromTwiliosList() {
        PromptFactory error = gateway.components.prompts().stream().filter(p -> p.prompt().name().equals("Error"))
                .findFirst().orElseThrow();
        List<String> choices = error.choices("errorType");
        assertThat(choices).contains("invalid-card-number", "invalid-card-type", "invalid-date", "invalid-security-code",
                "input-timeout", "invalid-postal-code", "invalid-bank-routing-number", "invalid-bank-account-number",
                "input-matching-failed", "invalid-card-number-security-code-capture-sequence", "payment-connector-error",
                "caller-hung-up");
        assertThat(complete("Error", "errorType", "INVALID-CARD", Map.of(), choices)).containsExactly("invalid-card-number",
                "invalid-card-type", "invalid-card-number-security-code-capture-sequence");
    }
}
