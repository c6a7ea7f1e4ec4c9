package io.agentpay.gateway.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpay.gateway.resilience.CardNumbers;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class CardDataTest {

    @Test
    void aFullCardNumberKeepsOnlyItsLastFourDigits() {
        assertThat(CardData.maskCardNumber("4111111111111111")).isEqualTo("xxxxxxxxxxxx1111");
        assertThat(CardData.maskCardNumber("4111 1111 1111 1111")).isEqualTo("xxxxxxxxxxxx1111");
        assertThat(CardData.maskCardNumber("3782-822463-10005")).isEqualTo("xxxxxxxxxxx0005");
    }

    @Test
    void twilioMasksPassThroughUnchanged() {
        assertThat(CardData.maskCardNumber("xxxxxxxxxxxx1111")).isEqualTo("xxxxxxxxxxxx1111");
        assertThat(CardData.maskCardNumber("xxxx-xxxxxx-x4001")).isEqualTo("xxxxxxxxxxx4001");
        assertThat(CardData.maskCardNumber("xxxxxxxx")).isEqualTo("xxxxxxxx");
    }

    @Test
    void aFewBareDigitsAreAFragmentAndShowNothing() {
        assertThat(CardData.maskCardNumber("4111")).isEqualTo("xxxx");
    }

    @Test
    void aSecurityCodeKeepsOnlyItsLength() {
        assertThat(CardData.maskSecurityCode("123")).isEqualTo("xxx");
        assertThat(CardData.maskSecurityCode("1234")).isEqualTo("xxxx");
        assertThat(CardData.maskSecurityCode("xxx")).isEqualTo("xxx");
        assertThat(CardData.maskSecurityCode("")).isNull();
    }

    @Test
    void bankNumbersKeepTheirLastDigitsOnly() {
        assertThat(CardData.maskBankAccount("000123456789")).isEqualTo("xxxxxxxxxx89");
        assertThat(CardData.maskRoutingNumber("121000248")).isEqualTo("xxxxx0248");
    }

    @Test
    void freeTextLosesAnyLuhnValidCardNumberButKeepsOtherNumbers() {
        assertThat(CardData.scrubText("declined 4111 1111 1111 1111 today")).isEqualTo("declined xxxxxxxxxxxx1111 today");
        assertThat(CardData.scrubText("card 5555-5555-5555-4444")).isEqualTo("card xxxxxxxxxxxx4444");
        assertThat(CardData.scrubText("ch_a9dc6297cd1a4fb095e61b1a9cf2dd1d")).isEqualTo("ch_a9dc6297cd1a4fb095e61b1a9cf2dd1d");
        assertThat(CardData.scrubText("order 1234567890123")).isEqualTo("order 1234567890123");
    }

    @Test
    void aSecurityCodeNamedInFreeTextLosesItsDigits() {
        assertThat(CardData.scrubText("CVV 123 did not match")).isEqualTo("CVV xxx did not match");
        assertThat(CardData.scrubText("bad cvc2: 1234.")).isEqualTo("bad cvc2: xxxx.");
        assertThat(CardData.scrubText("the security code is 987")).isEqualTo("the security code is xxx");
        assertThat(CardData.scrubText("{\"SecurityCode\":\"042\"}")).isEqualTo("{\"SecurityCode\":\"xxx\"}");
        assertThat(CardData.scrubText("error 64020 on call 123")).isEqualTo("error 64020 on call 123");
        assertThat(CardData.scrubText("cvv 12345")).as("not a security code").isEqualTo("cvv 12345");
    }

    @Test
    void aCardNumberCutByTheLengthLimitLeavesNoDigitsOfItBehind() {
        String pan = "4111111111111111";
        for (int before = 230; before <= 260; before++) {
            String text = "x".repeat(before) + " " + pan + " tail";
            String scrubbed = CardData.scrubText(text);
            assertThat(scrubbed.length()).isLessThanOrEqualTo(256);
            assertThat(scrubbed.replaceAll("[^0-9]", "")).as("cut after %d characters", before).matches("(1111)?");
        }
    }

    @Provide
    Arbitrary<String> sixteenDigitTokens() {
        return Arbitraries.strings().numeric().ofLength(16);
    }

    @Property
    void aConnectorsNumericTokenKeepsItsDigitsUnlessItIsAPlausibleCardNumber(@ForAll("sixteenDigitTokens") String token) {
        String kept = PaymentField.PAYMENT_TOKEN.sanitize(token);
        if (!CardData.luhnValid(token, 0, 16) || "01789".indexOf(token.charAt(0)) >= 0 && !token.matches("8[12].*")) {
            assertThat(kept).isEqualTo(token);
            assertThat(PaymentField.PROFILE_ID.sanitize(token)).isEqualTo(token);
            assertThat(PaymentField.PAYMENT_CONFIRMATION_CODE.sanitize("ch_" + token)).isEqualTo("ch_" + token);
        }
    }

    @Property
    void aBrandsCardNumberInAnIdentifierIsMasked(@ForAll long seed, @ForAll("styles") int style) {
        Random random = new Random(seed);
        String pan = random.nextInt(4) == 0 ? CardNumbers.TEST_CARDS.get(random.nextInt(CardNumbers.TEST_CARDS.size()))
                : CardNumbers.plausible(random);
        String typed = CardNumbers.formatted(pan, style);
        for (PaymentField field : new PaymentField[] {PaymentField.PAYMENT_TOKEN, PaymentField.PROFILE_ID,
                PaymentField.PAYMENT_CONFIRMATION_CODE}) {
            for (String value : new String[] {typed, "tok_" + typed, "cus " + typed + " x"}) {
                String kept = field.sanitize(value);
                assertThat(kept.replaceAll("[ -]", "")).as(field + " " + value).doesNotContain(pan.substring(0, pan.length() - 4))
                        .contains("x".repeat(pan.length() - 4) + pan.substring(pan.length() - 4));
            }
        }
    }

    @Provide
    Arbitrary<Integer> styles() {
        return Arbitraries.integers().between(0, 2);
    }

    @Test
    void freeTextKeepsTheStrictRuleThatIdentifiersDropped() {
        String noBrand = "7992739871300000";
        while (!CardData.luhnValid(noBrand, 0, 16)) {
            noBrand = String.valueOf(Long.parseLong(noBrand) + 1);
        }
        assertThat(PaymentField.PAYMENT_TOKEN.sanitize(noBrand)).isEqualTo(noBrand);
        assertThat(PaymentField.PAYMENT_ERROR.sanitize("declined " + noBrand)).isEqualTo("declined xxxxxxxxxxxx" + noBrand.substring(12));
    }
}
