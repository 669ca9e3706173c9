package io.durablestreams.subscriptions;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import io.durablestreams.store.ForkTestClock;
import io.durablestreams.store.Offsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.durablestreams.subscriptions.SubscriptionTestServer.CLOCK_START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebhookDeliveryTest {

    private static String webhookSubscription(WebhookReceiver receiver, String pattern) {
        return "{\"type\":\"webhook\",\"pattern\":\"" + pattern + "\",\"webhook\":{\"url\":\""
                + receiver.url() + "\"},\"lease_ttl_ms\":5000}";
    }

    @Test
    void webhookSignatureVerifiesWithJwks() throws Exception {
        try (SubscriptionTestServer server = SubscriptionTestServer.start();
             WebhookReceiver receiver = WebhookReceiver.start()) {
            assertEquals(201, server.putSubscription("s1",
                    webhookSubscription(receiver, "events/*")).status());
            server.createJsonStream("events/a", "{\"n\":1}");

            WebhookReceiver.Request wake = receiver.next();
            SubscriptionTestServer.Reply jwks = server.send("GET", "__ds/jwks.json", "");
            assertEquals(200, jwks.status());
            assertEquals("application/jwk-set+json", jwks.header("Content-Type"));
            assertEquals("public, max-age=300", jwks.header("Cache-Control"));
            assertTrue(SignatureVerifier.verify(wake.rawBody(), wake.signature(), jwks.json(),
                    CLOCK_START));
        }
    }

    @Test
    void newStreamIsLinkedBeforeFirstAppend() throws Exception {
        try (SubscriptionTestServer server = SubscriptionTestServer.start();
             WebhookReceiver receiver = WebhookReceiver.start()) {
            server.putSubscription("s1", webhookSubscription(receiver, "events/*"));
            String tail = server.createJsonStream("events/a", "{\"n\":1}")
                    .header("Stream-Next-Offset");

            WebhookReceiver.Request wake = receiver.next();
            Map<?, ?> stream = wake.stream("events/a");
            assertEquals(Offsets.START, stream.get("acked_offset"));
            assertEquals(tail, stream.get("tail_offset"));
            assertEquals(true, stream.get("has_pending"));
            assertEquals("glob", stream.get("link_type"));
            assertEquals("s1", wake.string("subscription_id"));
            assertEquals(1L, wake.generation());
            assertEquals(server.url("__ds/subscriptions/s1/callback"),
                    wake.string("callback_url"));
        }
    }

    @Test
    void backfillLinksExistingStreamsAtTail() throws Exception {
        try (SubscriptionTestServer server = SubscriptionTestServer.start();
             WebhookReceiver receiver = WebhookReceiver.start()) {
            String tail = server.createJsonStream("events/old", "[{\"n\":1},{\"n\":2}]")
                    .header("Stream-Next-Offset");
            server.createJsonStream("other/x", "{\"n\":1}");

            server.putSubscription("s1", webhookSubscription(receiver, "events/**"));

            assertEquals(tail, server.ackedOffset("s1", "events/old"));
            assertEquals(1, ((java.util.List<?>) server.getSubscription("s1").json()
                    .get("streams")).size());
            assertEquals(0, receiver.received());
            String newTail = server.appendJson("events/old", "{\"n\":3}")
                    .header("Stream-Next-Offset");
            Map<?, ?> stream = receiver.next().stream("events/old");
            assertEquals(tail, stream.get("acked_offset"));
            assertEquals(newTail, stream.get("tail_offset"));
        }
    }

    @Test
    void doneResponseAcksWakeSnapshot() throws Exception {
        try (SubscriptionTestServer server = SubscriptionTestServer.start();
             WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.respond(request -> WebhookReceiver.Response.DONE);
            server.putSubscription("s1", webhookSubscription(receiver, "events/*"));
            String tail = server.createJsonStream("events/a", "{\"n\":1}")
                    .header("Stream-Next-Offset");

            receiver.next();
            assertEquals(tail, server.ackedOffset("s1", "events/a"));
            assertEquals("active", server.getSubscription("s1").json().get("status"));
            assertTrue(receiver.idle());
        }
    }

    @Test
    void doneResponseRewakesWhenDataArrived() throws Exception {
        try (SubscriptionTestServer server = SubscriptionTestServer.start();
             WebhookReceiver receiver = WebhookReceiver.start()) {
            server.putSubscription("s1", webhookSubscription(receiver, "events/*"));
            // The receiver of the first wake appends before it responds, so data arrives after
            // the wake's snapshot and a second wake must follow.
            receiver.respond(request -> {
                if (request.generation() == 1) {
                    server.appendJson("events/a", "{\"n\":2}");
                }
                return WebhookReceiver.Response.DONE;
            });
            server.createJsonStream("events/a", "{\"n\":1}");

            WebhookReceiver.Request first = receiver.next();
            WebhookReceiver.Request second = receiver.next();
            String firstTail = (String) first.stream("events/a").get("tail_offset");
            String finalTail = (String) second.stream("events/a").get("tail_offset");
            assertEquals(2L, second.generation());
            assertEquals(firstTail, second.stream("events/a").get("acked_offset"));
            assertTrue(Offsets.parse(finalTail) > Offsets.parse(firstTail));
            assertEquals(finalTail, server.ackedOffset("s1", "events/a"));
            assertTrue(receiver.idle());
        }
    }

    @Test
    void callbackAcksAndEndsWake() throws Exception {
        try (SubscriptionTestServer server = SubscriptionTestServer.start();
             WebhookReceiver receiver = WebhookReceiver.start()) {
            server.putSubscription("s1", webhookSubscription(receiver, "events/*"));
            String tail = server.createJsonStream("events/a", "{\"n\":1}")
                    .header("Stream-Next-Offset");
            WebhookReceiver.Request wake = receiver.next();

            SubscriptionTestServer.Reply callback = server.action("s1", "callback",
                    wake.string("callback_token"), callbackBody(wake, "events/a", tail, true));

            assertEquals(200, callback.status());
            assertEquals(Map.of("ok", true, "next_wake", false), callback.json());
            assertEquals(tail, server.ackedOffset("s1", "events/a"));
        }
    }

    @Test
    void staleWakeIdGenerationOrTokenIsFenced() throws Exception {
        try (SubscriptionTestServer server = SubscriptionTestServer.start();
             WebhookReceiver receiver = WebhookReceiver.start()) {
            server.putSubscription("s1", webhookSubscription(receiver, "events/*"));
            String firstTail = server.createJsonStream("events/a", "{\"n\":1}")
                    .header("Stream-Next-Offset");
            WebhookReceiver.Request first = receiver.next();
            server.action("s1", "callback", first.string("callback_token"),
                    callbackBody(first, "events/a", firstTail, true));
            String secondTail = server.appendJson("events/a", "{\"n\":2}")
                    .header("Stream-Next-Offset");
            WebhookReceiver.Request second = receiver.next();
            String token = second.string("callback_token");

            String staleWakeId = "{\"wake_id\":\"" + first.string("wake_id") + "\",\"generation\":"
                    + second.generation() + ",\"acks\":[{\"stream\":\"events/a\",\"offset\":\""
                    + secondTail + "\"}],\"done\":true}";
            String staleGeneration = "{\"wake_id\":\"" + second.string("wake_id")
                    + "\",\"generation\":" + first.generation() + ",\"acks\":[{\"stream\":"
                    + "\"events/a\",\"offset\":\"" + secondTail + "\"}],\"done\":true}";
            String current = callbackBody(second, "events/a", secondTail, true);

            assertFenced(server.action("s1", "callback", token, staleWakeId));
            assertFenced(server.action("s1", "callback", token, staleGeneration));
            assertFenced(server.action("s1", "callback", first.string("callback_token"),
                    current));
            assertEquals(firstTail, server.ackedOffset("s1", "events/a"));

            assertEquals(200, server.action("s1", "callback", token, current).status());
            assertEquals(secondTail, server.ackedOffset("s1", "events/a"));
        }
    }

    @Test
    void invalidTokensAreUnauthorized() throws Exception {
        try (SubscriptionTestServer server = SubscriptionTestServer.start();
             WebhookReceiver receiver = WebhookReceiver.start()) {
            server.putSubscription("s1", webhookSubscription(receiver, "events/*"));
            String tail = server.createJsonStream("events/a", "{\"n\":1}")
                    .header("Stream-Next-Offset");
            WebhookReceiver.Request wake = receiver.next();
            String body = callbackBody(wake, "events/a", tail, true);

            SubscriptionTestServer.Reply missing = server.action("s1", "callback", null, body);
            SubscriptionTestServer.Reply forged = server.action("s1", "callback",
                    wake.string("callback_token") + "x", body);

            assertEquals(401, missing.status());
            assertEquals("TOKEN_INVALID", missing.errorCode());
            assertEquals(401, forged.status());
            assertEquals("TOKEN_INVALID", forged.errorCode());
            assertEquals(Offsets.START, server.ackedOffset("s1", "events/a"));
        }
    }

    @Test
    void rejectedAckChangesNoCursor() throws Exception {
        try (SubscriptionTestServer server = SubscriptionTestServer.start();
             WebhookReceiver receiver = WebhookReceiver.start()) {
            server.putSubscription("s1", webhookSubscription(receiver, "events/*"));
            String tailA = server.createJsonStream("events/a", "{\"n\":1}")
                    .header("Stream-Next-Offset");
            WebhookReceiver.Request wake = receiver.next();
            String beyond = Offsets.format(Offsets.parse(tailA) + 1000);
            String body = "{\"wake_id\":\"" + wake.string("wake_id") + "\",\"generation\":"
                    + wake.generation() + ",\"acks\":[{\"stream\":\"events/a\",\"offset\":\""
                    + tailA + "\"},{\"stream\":\"events/a\",\"offset\":\"" + beyond + "\"}]}";

            SubscriptionTestServer.Reply reply = server.action("s1", "callback",
                    wake.string("callback_token"), body);

            assertEquals(409, reply.status());
            assertEquals("INVALID_OFFSET", reply.errorCode());
            assertEquals(Offsets.START, server.ackedOffset("s1", "events/a"));
        }
    }

    @Test
    void deletedSubscriptionFencesCallbacks() throws Exception {
        try (SubscriptionTestServer server = SubscriptionTestServer.start();
             WebhookReceiver receiver = WebhookReceiver.start()) {
            String config = webhookSubscription(receiver, "events/*");
            server.putSubscription("s1", config);
            String tail = server.createJsonStream("events/a", "{\"n\":1}")
                    .header("Stream-Next-Offset");
            WebhookReceiver.Request wake = receiver.next();
            String body = callbackBody(wake, "events/a", tail, true);

            assertEquals(204, server.send("DELETE", "__ds/subscriptions/s1", "").status());
            assertFenced(server.action("s1", "callback", wake.string("callback_token"), body));
            assertEquals(404, server.getSubscription("s1").status());

            // A new subscription with the same id starts a new incarnation: old tokens stay void.
            assertEquals(201, server.putSubscription("s1", config).status());
            assertFenced(server.action("s1", "callback", wake.string("callback_token"), body));
            assertEquals(tail, server.ackedOffset("s1", "events/a"));
        }
    }

    @Test
    void expiredLeaseRewakesPendingWork() throws Exception {
        try (SubscriptionTestServer server = SubscriptionTestServer.start();
             WebhookReceiver receiver = WebhookReceiver.start()) {
            server.putSubscription("s1", webhookSubscription(receiver, "events/*"));
            String tail = server.createJsonStream("events/a", "{\"n\":1}")
                    .header("Stream-Next-Offset");
            WebhookReceiver.Request first = receiver.next();

            server.scheduler().advance(Duration.ofMillis(4999));
            assertTrue(receiver.idle());
            server.scheduler().advance(Duration.ofMillis(1));

            WebhookReceiver.Request second = receiver.next();
            assertEquals(first.generation() + 1, second.generation());
            assertFenced(server.action("s1", "callback", first.string("callback_token"),
                    callbackBody(first, "events/a", tail, true)));
            assertEquals(Offsets.START, server.ackedOffset("s1", "events/a"));
        }
    }

    @Test
    void callbackHeartbeatExtendsLease() throws Exception {
        try (SubscriptionTestServer server = SubscriptionTestServer.start();
             WebhookReceiver receiver = WebhookReceiver.start()) {
            server.putSubscription("s1", webhookSubscription(receiver, "events/*"));
            String tail = server.createJsonStream("events/a", "{\"n\":1}")
                    .header("Stream-Next-Offset");
            WebhookReceiver.Request wake = receiver.next();

            server.scheduler().advance(Duration.ofSeconds(4));
            SubscriptionTestServer.Reply heartbeat = server.action("s1", "callback",
                    wake.string("callback_token"), callbackBody(wake, "events/a", tail, false));
            server.scheduler().advance(Duration.ofSeconds(4));

            assertEquals(200, heartbeat.status());
            assertTrue(receiver.idle());
            assertEquals(200, server.action("s1", "callback", wake.string("callback_token"),
                    callbackBody(wake, "events/a", tail, true)).status());
        }
    }

    @Test
    void failedDeliveryRetriesWithBackoff() throws Exception {
        try (SubscriptionTestServer server = SubscriptionTestServer.start();
             WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.respond(request -> WebhookReceiver.Response.ERROR);
            server.putSubscription("s1", webhookSubscription(receiver, "events/*"));
            server.createJsonStream("events/a", "{\"n\":1}");
            receiver.next();
            assertEquals("failed", server.getSubscription("s1").json().get("status"));

            long[] delaysSeconds = {1, 2, 4, 8};
            for (long delay : delaysSeconds) {
                server.scheduler().advance(Duration.ofSeconds(delay).minusMillis(1));
                assertTrue(receiver.idle(), "no retry before " + delay + " s");
                server.scheduler().advance(Duration.ofMillis(1));
                receiver.next();
            }
            // New data does not bypass the pending retry.
            server.appendJson("events/a", "{\"n\":2}");
            assertTrue(receiver.idle());

            receiver.respond(request -> WebhookReceiver.Response.DONE);
            server.scheduler().advance(Duration.ofSeconds(16));
            WebhookReceiver.Request delivered = receiver.next();
            assertEquals("active", server.getSubscription("s1").json().get("status"));
            assertEquals(delivered.stream("events/a").get("tail_offset"),
                    server.ackedOffset("s1", "events/a"));
        }
    }

    @Test
    void retryScheduleSurvivesRestart(@TempDir Path data) throws Exception {
        ManualScheduler scheduler = new ManualScheduler(new ForkTestClock(CLOCK_START));
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.respond(request -> WebhookReceiver.Response.ERROR);
            String kid;
            try (SubscriptionTestServer server = SubscriptionTestServer.start(scheduler,
                    Optional.of(data))) {
                server.putSubscription("s1", webhookSubscription(receiver, "events/*"));
                kid = signingKid(server);
                server.createJsonStream("events/a", "{\"n\":1}");
                receiver.next();
                server.scheduler().advance(Duration.ofSeconds(1));
                receiver.next();
            }
            // Two failures: the next attempt is due 2 s after the second one.
            Instant due = CLOCK_START.plusSeconds(3);
            ManualScheduler restarted = new ManualScheduler(scheduler.clock());
            receiver.respond(request -> WebhookReceiver.Response.DONE);
            try (SubscriptionTestServer server = SubscriptionTestServer.start(restarted,
                    Optional.of(data))) {
                assertEquals(due, restarted.nextDue());
                assertEquals("failed", server.getSubscription("s1").json().get("status"));
                assertEquals(kid, signingKid(server));

                restarted.advance(Duration.ofMillis(1999));
                assertTrue(receiver.idle());
                restarted.advance(Duration.ofMillis(1));
                WebhookReceiver.Request delivered = receiver.next();
                assertEquals(3L, delivered.generation());
                assertEquals("active", server.getSubscription("s1").json().get("status"));
                assertEquals(delivered.stream("events/a").get("tail_offset"),
                        server.ackedOffset("s1", "events/a"));
            }
        }
    }

    @Test
    void cursorsSurviveRestart(@TempDir Path data) throws Exception {
        ManualScheduler scheduler = new ManualScheduler(new ForkTestClock(CLOCK_START));
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.respond(request -> WebhookReceiver.Response.DONE);
            String tail;
            try (SubscriptionTestServer server = SubscriptionTestServer.start(scheduler,
                    Optional.of(data))) {
                server.putSubscription("s1", webhookSubscription(receiver, "events/*"));
                tail = server.createJsonStream("events/a", "{\"n\":1}")
                        .header("Stream-Next-Offset");
                receiver.next();
            }
            try (SubscriptionTestServer server = SubscriptionTestServer.start(
                    new ManualScheduler(scheduler.clock()), Optional.of(data))) {
                assertEquals(tail, server.ackedOffset("s1", "events/a"));
                assertEquals(200, server.putSubscription("s1",
                        webhookSubscription(receiver, "events/*")).status());
                server.appendJson("events/a", "{\"n\":2}");
                assertEquals(tail, receiver.next().stream("events/a").get("acked_offset"));
            }
        }
    }

    @Test
    void unsafeWebhookUrlIsRejected() {
        try (SubscriptionTestServer server = SubscriptionTestServer.start()) {
            SubscriptionTestServer.Reply reply = server.putSubscription("s1",
                    "{\"type\":\"webhook\",\"pattern\":\"events/*\","
                            + "\"webhook\":{\"url\":\"http://10.0.0.1/hook\"}}");

            assertEquals(400, reply.status());
            assertEquals("WEBHOOK_URL_REJECTED", reply.errorCode());
            assertEquals(404, server.getSubscription("s1").status());
        }
    }

    @Test
    void loopbackRejectedWithoutDevelopmentSetting() throws Exception {
        try (SubscriptionTestServer server = SubscriptionTestServer.start(false,
                host -> new java.net.InetAddress[] {java.net.InetAddress.getByName(
                        host.equals("hooks.test") ? "127.0.0.1" : host)});
             WebhookReceiver receiver = WebhookReceiver.start()) {
            SubscriptionTestServer.Reply direct = server.putSubscription("s1",
                    webhookSubscription(receiver, "events/*"));
            SubscriptionTestServer.Reply byName = server.putSubscription("s2",
                    "{\"type\":\"webhook\",\"pattern\":\"events/*\","
                            + "\"webhook\":{\"url\":\"https://hooks.test/hook\"}}");

            assertEquals("WEBHOOK_URL_REJECTED", direct.errorCode());
            assertEquals("WEBHOOK_URL_REJECTED", byName.errorCode());
        }
    }

    private static String signingKid(SubscriptionTestServer server) {
        Map<?, ?> webhook = (Map<?, ?>) server.getSubscription("s1").json().get("webhook");
        return (String) ((Map<?, ?>) webhook.get("signing")).get("kid");
    }

    static String callbackBody(WebhookReceiver.Request wake, String stream, String offset,
                               boolean done) {
        return "{\"wake_id\":\"" + wake.string("wake_id") + "\",\"generation\":"
                + wake.generation() + ",\"acks\":[{\"stream\":\"" + stream + "\",\"offset\":\""
                + offset + "\"}],\"done\":" + done + "}";
    }

    private static void assertFenced(SubscriptionTestServer.Reply reply) {
        assertEquals(409, reply.status(), reply.body());
        assertEquals("FENCED", reply.errorCode());
    }
}
