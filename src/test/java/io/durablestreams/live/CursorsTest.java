package io.durablestreams.live;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

class CursorsTest {

    /** Maximum jitter, 3600 seconds, in 20-second intervals. */
    private static final long MAX_JITTER_INTERVALS = 180;

    @Test
    void epochIsOctoberNinth2024() {
        assertThat("start of interval 0", Cursors.EPOCH,
                is(Instant.parse("2024-10-09T00:00:00Z")));
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "19999, 0",
        "20000, 1",
        "39999, 1",
        "20000000, 1000"
    })
    void intervalCountsTwentySecondStepsFromEpoch(long millisAfterEpoch, long interval) {
        Cursors cursors = cursorsAt(Cursors.EPOCH.plusMillis(millisAfterEpoch));
        assertThat("interval " + millisAfterEpoch + " ms after the epoch",
                cursors.currentInterval(), is(interval));
    }

    @Test
    void cursorWithoutEchoIsCurrentInterval() {
        Cursors cursors = cursorsAt(Cursors.EPOCH.plus(Duration.ofSeconds(20 * 1000 + 5)));
        assertThat("cursor of a first live request", cursors.next(Optional.empty()), is("1000"));
    }

    @Test
    void olderEchoedCursorGivesCurrentInterval() {
        Cursors cursors = cursorsAt(Cursors.EPOCH.plus(Duration.ofSeconds(20 * 1000)));
        assertThat("an echoed cursor behind the clock", cursors.next(Optional.of("999")),
                is("1000"));
    }

    @Test
    void echoedCurrentCursorGivesStrictlyLargerOne() {
        Cursors cursors = cursorsAt(Cursors.EPOCH.plus(Duration.ofSeconds(20 * 1000)));
        for (int i = 0; i < 500; i++) {
            long next = Long.parseLong(cursors.next(Optional.of("1000")));
            assertThat("a cursor echoed in the same interval must advance", next,
                    greaterThan(1000L));
            assertThat("the advance is at most 3600 seconds of jitter", next,
                    lessThanOrEqualTo(1000 + MAX_JITTER_INTERVALS));
        }
    }

    @Test
    void echoedFutureCursorGivesStrictlyLargerOne() {
        Cursors cursors = cursorsAt(Cursors.EPOCH.plus(Duration.ofSeconds(20 * 1000)));
        for (int i = 0; i < 500; i++) {
            long next = Long.parseLong(cursors.next(Optional.of("5000")));
            assertThat("a cursor echoed ahead of the clock must still advance", next,
                    greaterThan(5000L));
            assertThat("the advance is at most 3600 seconds of jitter", next,
                    lessThanOrEqualTo(5000 + MAX_JITTER_INTERVALS));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "-5", "1e3", "12.5", " 1000", "\u0661\u0662",
        "9999999999999999999999"})
    void unusableEchoedCursorGivesCurrentInterval(String echoed) {
        Cursors cursors = cursorsAt(Cursors.EPOCH.plus(Duration.ofSeconds(20 * 1000)));
        assertThat("echoed cursor '" + echoed + "' is not a number to advance",
                cursors.next(Optional.of(echoed)), is("1000"));
    }

    private static Cursors cursorsAt(Instant now) {
        return new Cursors(Clock.fixed(now, ZoneOffset.UTC));
    }
}
