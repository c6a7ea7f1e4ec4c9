package io.agentpay.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.agentpay.gateway.GatewayFixture;
import io.agentpay.gateway.mcp.ResourceFactory;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Malformed tool arguments and resource URIs, 10,000 of each: a clear error naming the problem,
 * no exception escaping, nothing sent to Twilio; a whole payment still completes afterwards.
 */
class ToolAndResourcePropertiesTest {
    static GatewayFixture gateway;

    @BeforeContainer
    static void start() throws Exception {
        gateway = new GatewayFixture();
    }

    /** After all the hostile calls, a whole payment still runs. */
    @AfterContainer
    static void stop() throws Exception {
        try {
            assertThat(gateway.completeAPayment("CAfedcba9876543210fedcba98765432ff").value(
                    io.agentpay.gateway.state.PaymentField.PAYMENT_CARD_NUMBER)).isEqualTo("xxxxxxxxxxxx1111");
        } finally {
            gateway.close();
        }
    }

    @Provide
    Arbitrary<Map<String, Object>> badArguments() {
        Arbitrary<Object> values = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(50).map(s -> (Object) s),
                Arbitraries.strings().withChars("CAPKabcdef0123456789").ofMinLength(30).ofMaxLength(36).map(s -> (Object) s),
                Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.just((Object) List.of(1, 2)),
                Arbitraries.just((Object) Map.of("nested", "x")),
                Arbitraries.just((Object) "x".repeat(100_000)));
        Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.of("callSid", "paymentSid", "chargeAmount", "currency",
                "paymentMethod", "description", "postalCode", "securityCode", "validCardTypes"), Arbitraries.strings().ofMaxLength(12));
        return Arbitraries.maps(names, values).ofMaxSize(6).map(HashMap::new);
    }

    @Property
    void malformedArgumentsGetAClearErrorAndNeverReachTwilio(@ForAll("badArguments") Map<String, Object> args,
                                                              @ForAll("toolNames") String tool) {
        long before = gateway.twilio.requestCount();
        McpSchema.CallToolResult result = gateway.call(tool, args);
        String text = ((McpSchema.TextContent) result.content().get(0)).text();
        if (Boolean.TRUE.equals(result.isError())) {
            assertThat(GatewayFixture.body(result).path("message").asText()).isNotBlank().hasSizeLessThan(400);
            assertThat(GatewayFixture.body(result).path("nextStep").asText()).isNotBlank();
            if ("invalid-argument".equals(GatewayFixture.body(result).path("error").asText())) {
                assertThat(gateway.twilio.requestCount()).isEqualTo(before);
            }
        }
        assertThat(text).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Provide
    Arbitrary<String> toolNames() {
        return Arbitraries.of(gateway.components.tools().stream().map(t -> t.tool().name()).toList());
    }

    @Provide
    Arbitrary<String> uris() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(80),
                Arbitraries.strings().withChars("CAPKabcdef0123456789/{}").ofMaxLength(80).map(s -> "payment://" + s),
                Arbitraries.strings().withChars("abcdef0123456789").ofLength(32)
                        .map(h -> "payment://CA" + h + "/PK" + h + "/status"),
                Arbitraries.strings().withChars("abcdef0123456789").ofLength(31)
                        .map(h -> "payment://CA" + h + "/PK" + h + "0/statuses"));
    }

    @Property
    void uriThatDoNotNameAKnownPaymentAreRefusedClearly(@ForAll("uris") String uri) {
        ResourceFactory resource = gateway.components.resources().get(0);
        Throwable thrown = catchThrowable(() -> resource.read(uri));
        assertThat(thrown).isInstanceOf(McpError.class);
        McpError error = (McpError) thrown;
        assertThat(error.getJsonRpcError().code()).isIn(McpSchema.ErrorCodes.INVALID_PARAMS, McpSchema.ErrorCodes.RESOURCE_NOT_FOUND);
        assertThat(error.getMessage()).contains("payment");
    }

}
