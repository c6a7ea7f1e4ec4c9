package io.agentpay.gateway.mcp.tools;

import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.ToolArgs;
import io.agentpay.gateway.mcp.ToolFactory;
import io.agentpay.gateway.mcp.ToolInputException;
import io.agentpay.gateway.mcp.ToolProgress;
import io.agentpay.gateway.mcp.ToolResults;
import io.agentpay.gateway.state.CaptureField;
import io.agentpay.gateway.state.PaymentStatus;
import io.agentpay.gateway.twilio.StartRequest;
import io.agentpay.gateway.twilio.TwilioAgentPaymentServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Opens a payment session on a live call: the first step of every payment. */
public final class StartPaymentCaptureTool implements ToolFactory {
    /** The brands Twilio's Payments API documents for ValidCardTypes. */
    static final List<String> CARD_TYPES = List.of("visa", "mastercard", "amex", "maestro", "discover", "optima",
            "jcb", "diners-club", "enroute");
    /**
     * ISO 4217 codes as the JVM knows them ({@code Currency.getAvailableCurrencies()} on Java 17), written out:
     * asking the JVM took 30 to 70 ms of the start-up before the tools are listed. The schema lists exactly
     * the codes the tool accepts.
     */
    static final List<String> CURRENCIES = List.of("""
            ADP AED AFA AFN ALL AMD ANG AOA ARS ATS AUD AWG AYM AZM AZN BAM BBD BDT BEF BGL BGN BHD BIF BMD
            BND BOB BOV BRL BSD BTN BWP BYB BYN BYR BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CSD CUC
            CUP CVE CYP CZK DEM DJF DKK DOP DZD EEK EGP ERN ESP ETB EUR FIM FJD FKP FRF GBP GEL GHC GHS GIP
            GMD GNF GRD GTQ GWP GYD HKD HNL HRK HTG HUF IDR IEP ILS INR IQD IRR ISK ITL JMD JOD JPY KES KGS
            KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LTL LUF LVL LYD MAD MDL MGA MGF MKD MMK MNT MOP
            MRO MRU MTL MUR MVR MWK MXN MXV MYR MZM MZN NAD NGN NIO NLG NOK NPR NZD OMR PAB PEN PGK PHP PKR
            PLN PTE PYG QAR ROL RON RSD RUB RUR RWF SAR SBD SCR SDD SDG SEK SGD SHP SIT SKK SLE SLL SOS SRD
            SRG SSP STD STN SVC SYP SZL THB TJS TMM TMT TND TOP TPE TRL TRY TTD TWD TZS UAH UGX USD USN USS
            UYI UYU UZS VEB VED VEF VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XFO XFU XOF XPD
            XPF XPT XSU XTS XUA XXX YER YUM ZAR ZMK ZMW ZWD ZWG ZWL ZWN ZWR
            """.strip().split("\\s+"));
    private static final Set<String> CURRENCY_CODES = Set.copyOf(CURRENCIES);
    private static final Set<String> METHODS = Set.of("credit-card", "ach-debit");
    private static final List<String> MATCHABLE = List.of("payment-card-number", "expiration-date", "security-code", "postal-code");

    private final ServerContext context;
    private final Tool tool;

    public StartPaymentCaptureTool(ServerContext context) {
        this.context = context;
        this.tool = Tool.builder()
                .name("startPaymentCapture")
                .title("Start a payment on a live call")
                .description("Open a secure payment session on a live call, after the caller has agreed to pay. The "
                        + "caller will key card digits on their phone keypad; Twilio collects and tokenizes them and you "
                        + "only see masked values. Keypad tones are heard only on the caller's phone (PSTN) leg: given an "
                        + "agent's SIP or client leg, the payment opens on the caller's leg and 'leg' says which and why "
                        + "(later tools accept either SID). Returns paymentSid and the status (state, required, "
                        + "nextAction); then tell the caller to key their card number and call captureCardNumber. Every "
                        + "tool returns the status, so no resource is needed; hosts that have resources may also follow "
                        + "statusResource.")
                .inputSchema(ToolSchemas.MAPPER, """
                        {"type": "object", "additionalProperties": false, "required": ["callSid"], "properties": {
                        %s,
                        "chargeAmount": {"type": "string", "pattern": "^\\\\d{1,6}(\\\\.\\\\d{1,2})?$",
                          "description": "Amount to charge as a plain decimal such as \\"25.00\\". Omit or \\"0\\" to tokenize (save) the card without charging."},
                        "currency": {"type": "string", "enum": %s, "description": "ISO 4217 code in capitals such as USD or EUR; defaults to the server's CURRENCY."},
                        "paymentMethod": {"type": "string", "enum": ["credit-card", "ach-debit"], "description": "credit-card (default) or ach-debit (bank account)."},
                        "description": {"type": "string", "maxLength": 200, "description": "Shown on the transaction, e.g. 'Order 1042'. Never put card data here."},
                        "postalCode": {"type": "boolean", "description": "Also collect the billing postal code. Default false."},
                        "securityCode": {"type": "boolean", "description": "Collect the security code (CVV). Default true."},
                        "validCardTypes": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": %s},
                          "description": "Card brands to accept, e.g. [\\"visa\\", \\"mastercard\\", \\"amex\\"] (Twilio's default when omitted)."},
                        "connectorParameters": {"type": "object", "maxProperties": 20, "additionalProperties": {"type": "string", "maxLength": 256},
                          "description": "Extra parameters for the Pay Connector, as a flat object of strings (sent as Twilio's Parameter). Required for ach-debit: {\\"AVSName\\": \\"<account holder's name>\\"} — ask the caller for it first. Never card data."},
                        "bankAccountType": {"type": "string", "enum": ["consumer-checking", "consumer-savings", "commercial-checking"], "description": "ach-debit only; Twilio's default is consumer-checking."},
                        "requireMatchingInputs": {"type": "array", "minItems": 1, "uniqueItems": true, "items": {"type": "string", "enum": %s},
                          "description": "Card fields the caller keys twice. After each, ask for the second entry with the same capture tool and secondEntry true; input-matching-failed means both entries again."},
                        "confirmation": {"type": "boolean", "description": "Twilio reads the last four digits back to the caller, who presses 1 to confirm or 2 to re-enter. Default false."},
                        "timeout": {"type": "integer", "minimum": 1, "maximum": 600, "description": "Seconds Twilio waits for the next digit before taking what was keyed (Twilio's default 5)."},
                        "minPostalCodeLength": {"type": "integer", "minimum": 1, "maximum": 10, "description": "Minimum characters of the postal code (with postalCode true)."}
                        }}""".formatted(ToolSchemas.CALL_SID, Json.write(CURRENCIES), Json.write(CARD_TYPES), Json.write(MATCHABLE)))
                .outputSchema(ToolSchemas.outputSchema(Map.of("mode", Map.of("type", "string", "enum", List.of("charge", "tokenize")),
                        "leg", Map.of("type", "object", "description", "present when the payment runs on another leg than the one given",
                                "properties", Map.of("paymentLeg", Map.of("type", "string"), "givenCallSid", Map.of("type", "string"),
                                        "why", Map.of("type", "string"))))))
                .annotations(ToolSchemas.steering("Start a payment on a live call"))
                .build();
    }

    @Override
    public Tool tool() {
        return tool;
    }

    @Override
    public CallToolResult call(McpSyncServerExchange exchange, ToolArgs args, ToolProgress progress) {
        String callSid = args.callSid();
        String currency = args.optionalText("currency", 3);
        if (currency != null && !CURRENCY_CODES.contains(currency)) {
            throw new ToolInputException("Argument 'currency' must be an ISO 4217 currency code in capitals, such as USD, "
                    + "EUR or GBP.");
        }
        List<String> cardTypes = args.optionalChoices("validCardTypes", CARD_TYPES);
        List<String> matching = args.optionalChoices("requireMatchingInputs", MATCHABLE);
        StartRequest request = new StartRequest(callSid, args.optionalAmount("chargeAmount"), currency,
                args.optionalChoice("paymentMethod", METHODS), args.optionalText("description", 200),
                args.optionalBoolean("postalCode", false), args.optionalBoolean("securityCode", true),
                cardTypes == null ? null : String.join(" ", cardTypes),
                args.optionalStringMap("connectorParameters", 20), args.optionalChoice("bankAccountType", StartRequest.BANK_ACCOUNT_TYPES),
                matching == null ? null : matching.stream().map(f -> CaptureField.parse(f).orElseThrow()).toList(),
                args.has("confirmation") ? args.optionalBoolean("confirmation", false) : null,
                args.has("timeout") ? args.optionalInteger("timeout", 1, 600, 5) : null,
                args.has("minPostalCodeLength") ? args.optionalInteger("minPostalCodeLength", 1, 10, 1) : null);
        TwilioAgentPaymentServer payments = context.payments();
        context.requireCallbacksReachable();
        PaymentStatus status = payments.start(request);
        context.log().debug("tools", "startPaymentCapture: session " + status.paymentSid() + " opened on call " + callSid
                + (request.charges() ? " to charge " + request.chargeAmount().toPlainString() : " to tokenize"));
        Map<String, Object> view = ToolSchemas.view(status, context, false);
        view.put("mode", request.charges() ? "charge" : "tokenize");
        payments.legChoice(callSid).ifPresent(leg -> view.put("leg", leg));
        return ToolResults.structured(view, status.statusUri());
    }
}
