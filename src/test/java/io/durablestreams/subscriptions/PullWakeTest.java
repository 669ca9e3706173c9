package io.durablestreams.subscriptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.durablestreams.store.Offsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PullWakeTest {

    private static final String CONFIG = "{\"type\":\"pull-wake\",\"pattern\":\"jobs/*\","
            + "\"wake_stream\":\"wake/pool\",\"lease_ttl_ms\":3000}";

    /** Starts a server with the wake stream and a pull-wake subscription {@code p1}. */
    private static SubscriptionTestServer startWithSubscription() {
        SubscriptionTestServer server = SubscriptionTestServer.start();
        server.createJsonStream("wake/pool", "[]");
        assertEquals(201, server.putSubscription("p1", CONFIG).status());
        return server;
    }

    private static List<?> wakeEvents(SubscriptionTestServer server) {
        return (List<?>) Json.parse(server.send("GET", "wake/pool", "").body().getBytes());
    }

    private static Map<?, ?> claim(SubscriptionTestServer server, String worker) {
        SubscriptionTestServer.Reply reply = server.action("p1", "claim", null,
                "{\"worker\":\"" + worker + "\"}");
        assertEquals(200, reply.status(), reply.body());
        return reply.json();
    }

    private static String ackBody(Map<?, ?> claimed, String stream, String offset, boolean done) {
        return "{\"wake_id\":\"" + claimed.get("wake_id") + "\",\"generation\":"
                + claimed.get("generation") + ",\"acks\":[{\"stream\":\"" + stream
                + "\",\"offset\":\"" + offset + "\"}],\"done\":" + done + "}";
    }

    private static String releaseBody(Map<?, ?> claimed) {
        return "{\"wake_id\":\"" + claimed.get("wake_id") + "\",\"generation\":"
                + claimed.get("generation") + "}";
    }

    @Test
    void pendingWorkAppendsWakeEvent() {
        try (SubscriptionTestServer server = startWithSubscription()) {
            server.createJsonStream("jobs/a", "{\"n\":1}");

            List<?> events = wakeEvents(server);
            assertEquals(1, events.size());
            Map<?, ?> event = (Map<?, ?>) events.get(0);
            assertEquals("wake", event.get("type"));
            assertEquals("p1", event.get("subscription_id"));
            assertEquals("jobs/a", event.get("stream"));
            assertEquals(1L, event.get("generation"));
            assertEquals(SubscriptionTestServer.CLOCK_START.toEpochMilli(), event.get("ts"));

            // While the wake waits for a claim, more data writes no further event.
            server.appendJson("jobs/a", "{\"n\":2}");
            assertEquals(1, wakeEvents(server).size());
        }
    }

    @Test
    void claimWhileHeldIsAlreadyClaimed() {
        try (SubscriptionTestServer server = startWithSubscription()) {
            server.createJsonStream("jobs/a", "{\"n\":1}");
            Map<?, ?> claimed = claim(server, "worker-1");

            SubscriptionTestServer.Reply busy = server.action("p1", "claim", null,
                    "{\"worker\":\"worker-2\"}");

            assertEquals(409, busy.status());
            Map<?, ?> error = (Map<?, ?>) busy.json().get("error");
            assertEquals("ALREADY_CLAIMED", error.get("code"));
            assertEquals("worker-1", error.get("current_holder"));
            assertEquals(claimed.get("generation"), error.get("generation"));
        }
    }

    @Test
    void claimWithoutWorkIsNoPendingWork() {
        try (SubscriptionTestServer server = startWithSubscription()) {
            SubscriptionTestServer.Reply reply = server.action("p1", "claim", null,
                    "{\"worker\":\"worker-1\"}");

            assertEquals(409, reply.status());
            assertEquals("NO_PENDING_WORK", reply.errorCode());
        }
    }

    @Test
    void ackDoneReleasesAndReportsNoWake() {
        try (SubscriptionTestServer server = startWithSubscription()) {
            server.createJsonStream("jobs/a", "{\"n\":1}");
            Map<?, ?> claimed = claim(server, "worker-1");
            String tail = (String) ((Map<?, ?>) ((List<?>) claimed.get("streams")).get(0))
                    .get("tail_offset");

            SubscriptionTestServer.Reply ack = server.action("p1", "ack",
                    (String) claimed.get("token"), ackBody(claimed, "jobs/a", tail, true));

            assertEquals(200, ack.status());
            assertEquals(Map.of("ok", true, "next_wake", false), ack.json());
            assertEquals(tail, server.ackedOffset("p1", "jobs/a"));
            assertEquals("NO_PENDING_WORK", server.action("p1", "claim", null,
                    "{\"worker\":\"worker-2\"}").errorCode());
        }
    }

    @Test
    void releaseWithPendingWorkWakesAgain() {
        try (SubscriptionTestServer server = startWithSubscription()) {
            server.createJsonStream("jobs/a", "{\"n\":1}");
            Map<?, ?> claimed = claim(server, "worker-1");

            SubscriptionTestServer.Reply release = server.action("p1", "release",
                    (String) claimed.get("token"), releaseBody(claimed));

            assertEquals(204, release.status());
            List<?> events = wakeEvents(server);
            assertEquals(2, events.size());
            assertEquals((Long) claimed.get("generation") + 1,
                    ((Map<?, ?>) events.get(1)).get("generation"));
            assertEquals(Offsets.START, server.ackedOffset("p1", "jobs/a"));
            assertEquals((Long) claimed.get("generation") + 1,
                    claim(server, "worker-2").get("generation"));
        }
    }

    @Test
    void staleAckAndReleaseAreFenced() {
        try (SubscriptionTestServer server = startWithSubscription()) {
            server.createJsonStream("jobs/a", "{\"n\":1}");
            Map<?, ?> first = claim(server, "worker-1");
            String token = (String) first.get("token");
            String tail = (String) ((Map<?, ?>) ((List<?>) first.get("streams")).get(0))
                    .get("tail_offset");
            server.action("p1", "release", token, releaseBody(first));
            Map<?, ?> second = claim(server, "worker-2");

            SubscriptionTestServer.Reply staleAck = server.action("p1", "ack", token,
                    ackBody(first, "jobs/a", tail, true));
            SubscriptionTestServer.Reply staleRelease = server.action("p1", "release", token,
                    releaseBody(first));
            SubscriptionTestServer.Reply wrongWake = server.action("p1", "ack",
                    (String) second.get("token"), "{\"wake_id\":\"" + first.get("wake_id")
                            + "\",\"generation\":" + second.get("generation") + "}");

            assertEquals(409, staleAck.status());
            assertEquals("FENCED", staleAck.errorCode());
            assertEquals(409, staleRelease.status());
            assertEquals("FENCED", staleRelease.errorCode());
            assertEquals(409, wrongWake.status());
            assertEquals("FENCED", wrongWake.errorCode());
            assertEquals(Offsets.START, server.ackedOffset("p1", "jobs/a"));
        }
    }

    @Test
    void heartbeatExtendsLease() {
        try (SubscriptionTestServer server = startWithSubscription()) {
            server.createJsonStream("jobs/a", "{\"n\":1}");
            Map<?, ?> claimed = claim(server, "worker-1");
            String token = (String) claimed.get("token");

            server.scheduler().advance(Duration.ofMillis(2500));
            SubscriptionTestServer.Reply heartbeat = server.action("p1", "ack", token,
                    releaseBody(claimed));
            server.scheduler().advance(Duration.ofMillis(2500));

            assertEquals(200, heartbeat.status());
            assertEquals(Map.of("ok", true, "next_wake", false), heartbeat.json());
            SubscriptionTestServer.Reply busy = server.action("p1", "claim", null,
                    "{\"worker\":\"worker-2\"}");
            assertEquals("ALREADY_CLAIMED", busy.errorCode());
        }
    }

    @Test
    void expiredLeaseClearsHolderAndRewakes() {
        try (SubscriptionTestServer server = startWithSubscription()) {
            server.createJsonStream("jobs/a", "{\"n\":1}");
            Map<?, ?> claimed = claim(server, "worker-1");

            server.scheduler().advance(Duration.ofMillis(2999));
            assertEquals(1, wakeEvents(server).size());
            server.scheduler().advance(Duration.ofMillis(1));

            List<?> events = wakeEvents(server);
            assertEquals(2, events.size());
            assertEquals((Long) claimed.get("generation") + 1,
                    ((Map<?, ?>) events.get(1)).get("generation"));
            SubscriptionTestServer.Reply stale = server.action("p1", "ack",
                    (String) claimed.get("token"), releaseBody(claimed));
            assertEquals("FENCED", stale.errorCode());
            assertEquals((Long) claimed.get("generation") + 1,
                    claim(server, "worker-2").get("generation"));
        }
    }

    @Test
    void concurrentClaimsGrantOneLease() throws Exception {
        try (SubscriptionTestServer server = startWithSubscription();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            server.createJsonStream("jobs/a", "{\"n\":1}");
            int workers = 16;
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                String worker = "worker-" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    return server.action("p1", "claim", null, "{\"worker\":\"" + worker + "\"}")
                            .status();
                }));
            }
            start.countDown();

            int granted = 0;
            int refused = 0;
            for (Future<Integer> result : results) {
                int status = result.get(10, TimeUnit.SECONDS);
                granted += status == 200 ? 1 : 0;
                refused += status == 409 ? 1 : 0;
            }
            assertEquals(1, granted);
            assertEquals(workers - 1, refused);
        }
    }

    @Test
    void concurrentDoneAcksApplyOnce() throws Exception {
        try (SubscriptionTestServer server = startWithSubscription();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            server.createJsonStream("jobs/a", "{\"n\":1}");
            Map<?, ?> claimed = claim(server, "worker-1");
            String token = (String) claimed.get("token");
            String tail = (String) ((Map<?, ?>) ((List<?>) claimed.get("streams")).get(0))
                    .get("tail_offset");
            CountDownLatch start = new CountDownLatch(1);
            Callable<Integer> ack = () -> {
                start.await();
                return server.action("p1", "ack", token, ackBody(claimed, "jobs/a", tail, true))
                        .status();
            };
            Callable<Integer> release = () -> {
                start.await();
                return server.action("p1", "release", token, releaseBody(claimed)).status();
            };
            List<Future<Integer>> results = List.of(pool.submit(ack), pool.submit(ack),
                    pool.submit(release), pool.submit(release));
            start.countDown();

            int succeeded = 0;
            int fenced = 0;
            for (Future<Integer> result : results) {
                int status = result.get(10, TimeUnit.SECONDS);
                succeeded += status == 200 || status == 204 ? 1 : 0;
                fenced += status == 409 ? 1 : 0;
            }
            assertEquals(1, succeeded);
            assertEquals(3, fenced);
            String acked = server.ackedOffset("p1", "jobs/a");
            assertTrue(acked.equals(tail) || acked.equals(Offsets.START), acked);
        }
    }
}
