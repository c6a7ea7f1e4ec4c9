package io.agentpay.gateway.callback;

import static org.assertj.core.api.Assertions.assertThat;

import com.twilio.security.RequestValidator;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class TwilioSignatureTest {
    /** Twilio's documented example ("Validating signatures from Twilio"): token 12345, this URL and these fields. */
    static final String DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2";
    static final Map<String, String> DOC_FIELDS = Map.of("CallSid", "CA1234567890ABCDE", "Caller", "+12349013030",
            "Digits", "1234", "From", "+12349013030", "To", "+18005551212");
    static final String DOC_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

    @Test
    void acceptsTwilioDocumentedExample() {
        assertThat(new TwilioSignature("12345").matches(DOC_URL, DOC_FIELDS, DOC_SIGNATURE)).isTrue();
        assertThat(new CallbackAuth(CallbackAuth.newSecret(), "12345").signatureMatches(DOC_URL, DOC_FIELDS, DOC_SIGNATURE)).isTrue();
    }

    @Test
    void acceptsTheSameRequestSignedWithTheDefaultPortSpelledOut() {
        String withPort = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
        TwilioSignature check = new TwilioSignature("12345");
        assertThat(check.matches(DOC_URL, DOC_FIELDS, TwilioPost.signature("12345", withPort, DOC_FIELDS))).isTrue();
        assertThat(check.matches(withPort, DOC_FIELDS, DOC_SIGNATURE)).isTrue();
    }

    @Test
    void refusesAnyChangeToTokenUrlFieldsOrSignature() {
        TwilioSignature check = new TwilioSignature("12345");
        Map<String, String> changed = new LinkedHashMap<>(DOC_FIELDS);
        changed.put("Digits", "1235");
        Map<String, String> extra = new LinkedHashMap<>(DOC_FIELDS);
        extra.put("PaymentCardNumber", "xxxxxxxxxxxx1111");
        assertThat(new TwilioSignature("12346").matches(DOC_URL, DOC_FIELDS, DOC_SIGNATURE)).isFalse();
        assertThat(check.matches("https://mycompany.com/myapp.php?foo=1&bar=3", DOC_FIELDS, DOC_SIGNATURE)).isFalse();
        assertThat(check.matches("http://mycompany.com/myapp.php?foo=1&bar=2", DOC_FIELDS, DOC_SIGNATURE)).isFalse();
        assertThat(check.matches(DOC_URL, changed, DOC_SIGNATURE)).isFalse();
        assertThat(check.matches(DOC_URL, extra, DOC_SIGNATURE)).isFalse();
        assertThat(check.matches(DOC_URL, DOC_FIELDS, "0/KCTR6DLpKmkAf8muzZqo1nDgR=")).isFalse();
        assertThat(check.matches(DOC_URL, DOC_FIELDS, DOC_SIGNATURE.substring(1))).isFalse();
        assertThat(check.matches(DOC_URL, DOC_FIELDS, "")).isFalse();
        assertThat(check.matches(DOC_URL, DOC_FIELDS, null)).isFalse();
        // Checked after a different URL and fields, the first still passes: nothing cached leaks into the next check.
        assertThat(check.matches(DOC_URL, DOC_FIELDS, DOC_SIGNATURE)).isTrue();
    }

    record Case(String token, String url, Map<String, String> fields, String signedUrl, boolean tamper) {}

    /** Whatever the URL, fields and signature, the verdict is the Twilio SDK validator's. */
    @Property(tries = 400)
    void agreesWithTheTwilioSdkValidator(@ForAll("cases") Case c) {
        String signature = TwilioPost.signature(c.token(), c.signedUrl(), c.fields());
        if (c.tamper()) {
            signature = (signature.charAt(0) == 'A' ? "B" : "A") + signature.substring(1);
        }
        boolean expected = new RequestValidator(c.token()).validate(c.url(), c.fields(), signature);
        assertThat(new TwilioSignature(c.token()).matches(c.url(), c.fields(), signature)).isEqualTo(expected);
        assertThat(expected).isEqualTo(!c.tamper() && (c.signedUrl().equals(c.url())
                || c.signedUrl().equals(TwilioSignature.otherVariant(c.url()))));
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<String> tokens = Arbitraries.strings().withCharRange('0', '9').withCharRange('a', 'f').ofLength(32);
        Arbitrary<String> hosts = Arbitraries.of("https://pay.example.com", "https://pay.example.com:443", "http://127.0.0.1:4000",
                "http://pay.example.com", "https://abc.ngrok.app:8443");
        Arbitrary<String> paths = Arbitraries.of("/callbacks/abc_DEF-123", "/callbacks/x?token=a%2Fb&n=1", "/callbacks/y?q=1");
        Arbitrary<Map<String, String>> fields = Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12),
                Arbitraries.strings().withCharRange(' ', '~').withChars('é', '€', '\u00a0').ofMaxLength(20)).ofMaxSize(20);
        return Combinators.combine(tokens, hosts, paths, fields, Arbitraries.integers().between(0, 2), Arbitraries.of(false, true))
                .as((token, host, path, f, which, tamper) -> {
                    String url = host + path;
                    String signed = switch (which) {
                        case 0 -> url;
                        case 1 -> TwilioSignature.otherVariant(url);
                        default -> url.replace("/callbacks/", "/other/");
                    };
                    return new Case(token, url, f, signed, tamper);
                });
    }
}
