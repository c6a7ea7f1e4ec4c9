package io.agentpay.gateway.callback;

import io.agentpay.gateway.state.PaymentUpdate;
import java.util.Map;

/** Lets tests outside this package turn a field map into an update the way the endpoint does. */
public final class CallbackParserAccess {
    private CallbackParserAccess() {}

    public static PaymentUpdate parse(Map<String, String> fields, String token) {
        return CallbackParser.parse(fields::get, token);
    }
}
