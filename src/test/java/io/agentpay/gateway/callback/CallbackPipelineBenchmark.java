package io.agentpay.gateway.callback;

import io.agentpay.gateway.state.CardData;
import io.agentpay.gateway.state.PaymentStore;
import io.agentpay.gateway.state.PaymentUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-callback work of the server, without HTTP: decode the 16-field form body of the load
 * test, mask and parse it, merge it into the store (1,000 sessions, as the wrk script cycles).
 * Run with bench/jmh.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CallbackPipelineBenchmark {
    private static final int SESSIONS = 1000;
    private byte[][] bodies;
    private PaymentStore store;
    private int next;

    @Setup
    public void setUp() {
        store = new PaymentStore(Duration.ofHours(1));
        bodies = new byte[SESSIONS][];
        for (int i = 0; i < SESSIONS; i++) {
            String body = "Sid=PK" + String.format("%032d", i) + "&AccountSid=AC0123456789abcdef0123456789abcdef&CallSid=CA"
                    + String.format("%032d", i) + "&PaymentCardNumber=xxxxxxxxxxxx1111&PaymentCardType=visa&SecurityCode=xxx"
                    + "&ExpirationDate=1229&PaymentConfirmationCode=ch_a9dc6297cd1a4fb095e61b1a9cf2dd1d&Result=success"
                    + "&PaymentToken=&PaymentMethod=credit-card&Capture=payment-card-number&PartialResult=false"
                    + "&Required=security-code%2Cexpiration-date&DateUpdated=2025-04-30T06%3A18%3A03Z&ApiVersion=2010-04-01";
            bodies[i] = body.getBytes(StandardCharsets.US_ASCII);
        }
    }

    private byte[] nextBody() {
        byte[] body = bodies[next];
        next = (next + 1) % SESSIONS;
        return body;
    }

    @Benchmark
    public Map<String, String> decodeForm() {
        return FormBody.parse(nextBody());
    }

    @Benchmark
    public PaymentUpdate decodeAndMask() {
        Map<String, String> fields = FormBody.parse(nextBody());
        return CallbackParser.parse(fields::get, null);
    }

    @Benchmark
    public Object decodeMaskAndMerge() {
        Map<String, String> fields = FormBody.parse(nextBody());
        return store.apply(CallbackParser.parse(fields::get, null));
    }

    @Benchmark
    public String scrubFreeText() {
        return CardData.scrubText("card 4111 1111 1111 1111 declined by ch_a9dc6297cd1a4fb095e61b1a9cf2dd1d");
    }
}
