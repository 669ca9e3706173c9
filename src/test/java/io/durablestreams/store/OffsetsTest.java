package io.durablestreams.store;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OffsetsTest {

    private static final long[] BOUNDARY_POSITIONS = {
        0, 1, 9, 10, 99, 100, 9_999_999_999_999_999L, 10_000_000_000_000_000L,
        10_000_000_000_000_001L, Long.MAX_VALUE - 1, Long.MAX_VALUE
    };

    @ParameterizedTest
    @CsvSource({
        "0, 0000000000000000_0000000000000000",
        "1, 0000000000000000_0000000000000001",
        "42, 0000000000000000_0000000000000042",
        "9999999999999999, 0000000000000000_9999999999999999",
        "10000000000000000, 0000000000000001_0000000000000000",
        "9223372036854775807, 0000000000000922_3372036854775807"
    })
    void formatWritesFixedWidthToken(long position, String token) {
        assertThat("token of position " + position, Offsets.format(position), is(token));
    }

    @ParameterizedTest
    @CsvSource({
        "0000000000000000_0000000000000000, 0",
        "0000000000000000_0000000000000042, 42",
        "0000000000000001_0000000000000000, 10000000000000000",
        "0000000000000922_3372036854775807, 9223372036854775807"
    })
    void parseReadsFormattedTokenBack(String token, long position) {
        assertThat("position of token " + token, Offsets.parse(token), is(position));
    }

    @Test
    void startIsTokenOfPositionZero() {
        assertThat("Offsets.START", Offsets.START, is(Offsets.format(0)));
    }

    @Test
    void tokensSortLikePositionsAtDigitBoundaries() {
        for (int i = 1; i < BOUNDARY_POSITIONS.length; i++) {
            String lower = Offsets.format(BOUNDARY_POSITIONS[i - 1]);
            String higher = Offsets.format(BOUNDARY_POSITIONS[i]);
            assertThat("token " + lower + " should sort before " + higher,
                    lower.compareTo(higher), lessThan(0));
        }
    }

    @Test
    void tokensSortLikeRandomPositions() {
        Random random = new Random(20241009);
        for (int i = 0; i < 10_000; i++) {
            long a = random.nextLong(Long.MAX_VALUE);
            long b = random.nextLong(1L << (1 + random.nextInt(62)));
            int expected = Long.signum(Long.compare(a, b));
            int actual = Integer.signum(Offsets.format(a).compareTo(Offsets.format(b)));
            assertThat("string order of the tokens of " + a + " and " + b, actual, is(expected));
        }
    }

    @Test
    void tokensUseOnlyDigitsAndOneUnderscore() {
        for (long position : BOUNDARY_POSITIONS) {
            String token = Offsets.format(position);
            assertThat("token " + token + " should be 33 characters of digits and '_'",
                    token.matches("[0-9]{16}_[0-9]{16}"), is(true));
        }
    }

    @Test
    void formatRejectsNegativePosition() {
        assertThrows(IllegalArgumentException.class, () -> Offsets.format(-1),
                "a negative position has no token");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "-1", "now", "0", "42",
        "0000000000000000_000000000000004",
        "0000000000000000_00000000000000420",
        "0000000000000000-0000000000000042",
        "00000000000000000_000000000000042",
        "000000000000000a_0000000000000042",
        "0000000000000000_0000000000000042 ",
        " 0000000000000000_0000000000000042",
        "0000000000000000_0000000000000042\n",
        "\uff10000000000000000_0000000000000042",
        "0000000000000000/0000000000000042",
        "../x", "0,1"
    })
    void isWellFormedRejectsOtherStrings(String candidate) {
        assertThat("'" + candidate + "' is not an offset token", Offsets.isWellFormed(candidate),
                is(false));
    }

    @Test
    void parseRejectsMalformedToken() {
        assertThrows(IllegalArgumentException.class, () -> Offsets.parse("42"),
                "parse accepts only well-formed tokens");
    }

    @Test
    void parseClampsHugeTokenToMaxValue() {
        assertThat("a token past Long.MAX_VALUE lies beyond every tail",
                Offsets.parse("9999999999999999_9999999999999999"), is(Long.MAX_VALUE));
    }
}
