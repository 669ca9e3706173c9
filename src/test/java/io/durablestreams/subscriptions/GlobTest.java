package io.durablestreams.subscriptions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GlobTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
            "events/*, events/a, true",
            "events/*, events, false",
            "events/*, events/a/b, false",
            "events/*, other/a, false",
            "events/**, events, true",
            "events/**, events/a, true",
            "events/**, events/a/b/c, true",
            "events/**, eventsx/a, false",
            "**, a, true",
            "**, a/b/c, true",
            "**/done, done, true",
            "**/done, a/b/done, true",
            "**/done, a/b/done/x, false",
            "a/**/z, a/z, true",
            "a/**/z, a/b/c/z, true",
            "a/**/z, a/b/c, false",
            "*/x/*, a/x/b, true",
            "*/x/*, a/y/b, false",
            "**/**/*, a, true",
            "**/**/*, a/b/c/d/e/f/g/h/i/j, true",
            "exact/path, exact/path, true",
            "exact/path, exact/path2, false",
    })
    void globMatchesSegments(String pattern, String path, boolean expected) {
        assertThat(Glob.compile(pattern).matches(path), is(expected));
    }

    @Test
    void globRejectsPartialWildcards() {
        SubscriptionException e = assertThrows(SubscriptionException.class,
                () -> Glob.compile("events/a*"));
        assertEquals("INVALID_REQUEST", e.code());
    }

    @Test
    void globRejectsEmptyAndDotSegments() {
        for (String pattern : new String[] {"events//a", "/events", "events/", "a/../b", "./a"}) {
            SubscriptionException e = assertThrows(SubscriptionException.class,
                    () -> Glob.compile(pattern), pattern);
            assertEquals("INVALID_REQUEST", e.code(), pattern);
        }
    }
}
